from .contacts import (
    ContactData,
    VictimData,
    case_open,
    contact_register,
    contact_update,
    contact_validate,
)
from .followups import followup_complete, followup_create
from .references import reference_allocate, reference_counter_raise

__all__ = [
    "ContactData",
    "VictimData",
    "case_open",
    "contact_register",
    "contact_update",
    "contact_validate",
    "followup_complete",
    "followup_create",
    "reference_allocate",
    "reference_counter_raise",
]
