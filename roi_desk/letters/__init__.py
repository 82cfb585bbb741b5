"""Letters and forms the release-of-information desk prints, as PDF bytes.

Plain typed Python over dataclasses (no Qt, no database): the services layer turns a
request into these dataclasses, and the packet builder stitches the PDFs together.
Wording is editable data (``roi_desk/data/letter_templates.json``, ``notices.json``), the
letterhead comes from ``roi_desk/data/site.json``. Every generator returns the same bytes
for the same input, so a re-printed packet matches its stored SHA-256.
"""

from __future__ import annotations

from roi_desk.letters.accounting import AccountingEntry, AccountingLetter, accounting_letter
from roi_desk.letters.acknowledgement import Acknowledgement, Delivery, acknowledgement_letter
from roi_desk.letters.address import MailingAddress
from roi_desk.letters.correspondence import Addressee, RequestLetterBasics
from roi_desk.letters.deficiency import DeficiencyLetter, deficiency_letter
from roi_desk.letters.envelope import NUMBER_10_WINDOW, Rect, WindowEnvelope
from roi_desk.letters.extension import ExtensionNotice, extension_notice
from roi_desk.letters.fax_cover import FaxCover, fax_cover_sheet
from roi_desk.letters.handover import HandoverSheet, handover_sheet
from roi_desk.letters.invoice import Invoice, InvoiceLine, invoice_pdf
from roi_desk.letters.labels import AVERY_5160, LabelSheet, address_labels
from roi_desk.letters.mail_cover import MailCoverLetter, mail_cover_letter
from roi_desk.letters.notices import (
    Notice,
    Part2Form,
    load_notices,
    part2_notice,
    redisclosure_notice,
)
from roi_desk.letters.referral import ReferralLetter, referral_letter
from roi_desk.letters.site import PrivacyOfficer, SiteInfo, load_site_info
from roi_desk.letters.templates import LetterTemplates, load_templates

__all__ = [
    "AVERY_5160",
    "NUMBER_10_WINDOW",
    "AccountingEntry",
    "AccountingLetter",
    "Acknowledgement",
    "Addressee",
    "DeficiencyLetter",
    "Delivery",
    "ExtensionNotice",
    "FaxCover",
    "HandoverSheet",
    "Invoice",
    "InvoiceLine",
    "LabelSheet",
    "LetterTemplates",
    "MailCoverLetter",
    "MailingAddress",
    "Notice",
    "Part2Form",
    "PrivacyOfficer",
    "Rect",
    "ReferralLetter",
    "RequestLetterBasics",
    "SiteInfo",
    "WindowEnvelope",
    "accounting_letter",
    "acknowledgement_letter",
    "address_labels",
    "deficiency_letter",
    "extension_notice",
    "fax_cover_sheet",
    "handover_sheet",
    "invoice_pdf",
    "load_notices",
    "load_site_info",
    "load_templates",
    "mail_cover_letter",
    "part2_notice",
    "redisclosure_notice",
    "referral_letter",
]
