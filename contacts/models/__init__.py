from .attempt import CallAttempt
from .campaign import Campaign
from .consultation import ConsultationItem
from .contact import NOTES_MAX_LENGTH, Case, Contact, FollowUp, ReferenceCounter, Victim
from .taxonomy import (
    AwarenessSource,
    CallerAgeGroup,
    CallerRole,
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
    "NOTES_MAX_LENGTH",
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
