from .contacts import (
    ContactData,
    VictimData,
    WarningsNotConfirmed,
    case_open,
    contact_check_complete,
    contact_register,
    contact_update,
    contact_validate,
    contact_warnings,
    follow_up_due_default,
)
from .followups import followup_complete, followup_create
from .references import reference_allocate, reference_counter_raise

__all__ = [
    "ContactData",
    "VictimData",
    "case_open",
    "WarningsNotConfirmed",
    "contact_check_complete",
    "contact_register",
    "contact_update",
    "contact_validate",
    "contact_warnings",
    "follow_up_due_default",
    "followup_complete",
    "followup_create",
    "reference_allocate",
    "reference_counter_raise",
]
