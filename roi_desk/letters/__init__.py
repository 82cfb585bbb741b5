"""Letters and forms the release-of-information desk prints, as PDF bytes.

Plain typed Python over dataclasses (no Qt, no database): the services layer turns a
request into these dataclasses, and the packet builder stitches the PDFs together.
Wording is editable data (``roi_desk/data/letter_templates.json``, ``notices.json``), the
letterhead comes from ``roi_desk/data/site.json``. Every generator returns the same bytes
for the same input, so a re-printed packet matches its stored SHA-256.

The package imports its letters on first use (PEP 562 ``__getattr__``): most letters
draw with reportlab (~50 ms with PIL), and a module that needs only ``letters.site`` or
``letters.address`` — the main window reading the site's date format, the request window
showing a phone number — must not load them all (issue 13, start-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roi_desk.lazy import lazy_getattr

if TYPE_CHECKING:
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

#: each name and the module that holds it
_LAZY = {
    "AVERY_5160": "roi_desk.letters.labels",
    "AccountingEntry": "roi_desk.letters.accounting",
    "AccountingLetter": "roi_desk.letters.accounting",
    "Acknowledgement": "roi_desk.letters.acknowledgement",
    "Addressee": "roi_desk.letters.correspondence",
    "DeficiencyLetter": "roi_desk.letters.deficiency",
    "Delivery": "roi_desk.letters.acknowledgement",
    "ExtensionNotice": "roi_desk.letters.extension",
    "FaxCover": "roi_desk.letters.fax_cover",
    "HandoverSheet": "roi_desk.letters.handover",
    "Invoice": "roi_desk.letters.invoice",
    "InvoiceLine": "roi_desk.letters.invoice",
    "LabelSheet": "roi_desk.letters.labels",
    "LetterTemplates": "roi_desk.letters.templates",
    "MailCoverLetter": "roi_desk.letters.mail_cover",
    "MailingAddress": "roi_desk.letters.address",
    "NUMBER_10_WINDOW": "roi_desk.letters.envelope",
    "Notice": "roi_desk.letters.notices",
    "Part2Form": "roi_desk.letters.notices",
    "PrivacyOfficer": "roi_desk.letters.site",
    "Rect": "roi_desk.letters.envelope",
    "ReferralLetter": "roi_desk.letters.referral",
    "RequestLetterBasics": "roi_desk.letters.correspondence",
    "SiteInfo": "roi_desk.letters.site",
    "WindowEnvelope": "roi_desk.letters.envelope",
    "accounting_letter": "roi_desk.letters.accounting",
    "acknowledgement_letter": "roi_desk.letters.acknowledgement",
    "address_labels": "roi_desk.letters.labels",
    "deficiency_letter": "roi_desk.letters.deficiency",
    "extension_notice": "roi_desk.letters.extension",
    "fax_cover_sheet": "roi_desk.letters.fax_cover",
    "handover_sheet": "roi_desk.letters.handover",
    "invoice_pdf": "roi_desk.letters.invoice",
    "load_notices": "roi_desk.letters.notices",
    "load_site_info": "roi_desk.letters.site",
    "load_templates": "roi_desk.letters.templates",
    "mail_cover_letter": "roi_desk.letters.mail_cover",
    "part2_notice": "roi_desk.letters.notices",
    "redisclosure_notice": "roi_desk.letters.notices",
    "referral_letter": "roi_desk.letters.referral",
}


__getattr__ = lazy_getattr(__name__, _LAZY)
