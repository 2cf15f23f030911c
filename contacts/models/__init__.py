from .attempt import CallAttempt
from .caller import CallerProfile, CallerProfileFlag
from .campaign import Campaign
from .consultation import ConsultationItem
from .contact import (
    DEFAULT_CONTACT_TYPE,
    Case,
    CloseReason,
    Contact,
    ContactFlag,
    FollowUp,
    ReferenceCounter,
    Victim,
)
from .taxonomy import (
    AwarenessSource,
    CallerAgeGroup,
    CallerRole,
    ContactType,
    Gender,
    Referral,
    Region,
    TaxonomyTerm,
    Theme,
    VictimAgeGroup,
    VictimRelation,
    ViolenceContext,
    ViolenceForm,
)

__all__ = [
    "DEFAULT_CONTACT_TYPE",
    "CallerProfile",
    "CallerProfileFlag",
    "CloseReason",
    "ContactFlag",
    "ContactType",
    "AwarenessSource",
    "CallAttempt",
    "CallerAgeGroup",
    "CallerRole",
    "Campaign",
    "Case",
    "ConsultationItem",
    "Contact",
    "FollowUp",
    "Gender",
    "ReferenceCounter",
    "Referral",
    "Region",
    "TaxonomyTerm",
    "Theme",
    "Victim",
    "VictimAgeGroup",
    "VictimRelation",
    "ViolenceContext",
    "ViolenceForm",
]
