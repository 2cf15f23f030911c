from .contact import ContactForm, VictimFormSet, service_errors_apply, victims_initial
from .filters import ContactFilterForm
from .followups import FollowUpForm

__all__ = [
    "ContactFilterForm",
    "ContactForm",
    "FollowUpForm",
    "VictimFormSet",
    "service_errors_apply",
    "victims_initial",
]
