"""Authorization rules: the 164.508(c) checklist, signer authority, sensitive categories.

No Qt and no database here: plain dataclasses the services layer maps to its models.
"""

from roi_desk.authorization.categories import (
    CLINICIAN_APPROVAL_REQUIRED,
    CategoryDecision,
    PendingReason,
    decide_categories,
)
from roi_desk.authorization.decision import (
    CategoryScope,
    Decision,
    DecisionLine,
    FeeDecision,
    Hold,
    LineEffect,
    RequestFacts,
    SignerCase,
    decide,
)
from roi_desk.authorization.elements import (
    CATEGORY_CODES,
    CHECKLIST_ITEMS,
    ChecklistItem,
    ItemKind,
    Notice,
    SensitiveCategory,
    checklist_items,
    load_notices,
    load_sensitive_categories,
)
from roi_desk.authorization.review import (
    AuthorizationFacts,
    AuthorizationReview,
    Checklist,
    ChecklistLine,
    DefectKind,
    Deficiency,
    LineStatus,
    Verdict,
    prefill_checklist,
    review,
)
from roi_desk.authorization.signer import (
    MinorConsentBasis,
    ProofDocument,
    SignerAuthority,
    SignerFacts,
    SignerRole,
    check_signer,
)

__all__ = [
    "CATEGORY_CODES",
    "CHECKLIST_ITEMS",
    "CLINICIAN_APPROVAL_REQUIRED",
    "AuthorizationFacts",
    "AuthorizationReview",
    "CategoryDecision",
    "CategoryScope",
    "Checklist",
    "ChecklistItem",
    "ChecklistLine",
    "Decision",
    "DecisionLine",
    "DefectKind",
    "Deficiency",
    "FeeDecision",
    "Hold",
    "ItemKind",
    "LineEffect",
    "LineStatus",
    "MinorConsentBasis",
    "Notice",
    "PendingReason",
    "ProofDocument",
    "RequestFacts",
    "SensitiveCategory",
    "SignerAuthority",
    "SignerCase",
    "SignerFacts",
    "SignerRole",
    "Verdict",
    "check_signer",
    "checklist_items",
    "decide",
    "decide_categories",
    "load_notices",
    "load_sensitive_categories",
    "prefill_checklist",
    "review",
]
