"""Getting a packet out: fax gateways, the fax number directory, encrypted electronic copies.

No Qt and no database here: :mod:`roi_desk.services.release` records attempts and releases.
Printing goes through Qt's print system and lives in :mod:`roi_desk.ui.packet`.
"""

from __future__ import annotations

from roi_desk.delivery.directory import (
    DirectoryEntry,
    FaxDirectory,
    VerifiedNumber,
    format_fax_number,
    normalize_fax_number,
    verify_fax_number,
)
from roi_desk.delivery.electronic import (
    EncryptedPdf,
    ExportError,
    encrypt_pdf,
    generate_password,
    write_atomically,
)
from roi_desk.delivery.gateways import (
    CommandGateway,
    FaxGateway,
    FaxGatewayError,
    FaxJob,
    GatewayReceipt,
    HotFolderGateway,
    SmtpGateway,
)
from roi_desk.delivery.setup import FaxSetup, fax_setup

__all__ = [
    "CommandGateway",
    "DirectoryEntry",
    "EncryptedPdf",
    "ExportError",
    "FaxDirectory",
    "FaxGateway",
    "FaxGatewayError",
    "FaxJob",
    "FaxSetup",
    "GatewayReceipt",
    "HotFolderGateway",
    "SmtpGateway",
    "VerifiedNumber",
    "encrypt_pdf",
    "fax_setup",
    "format_fax_number",
    "generate_password",
    "normalize_fax_number",
    "verify_fax_number",
    "write_atomically",
]
