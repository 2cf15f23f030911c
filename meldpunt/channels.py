from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """The ways people reach the line. Shared by staffing (opening hours, shifts) and contacts.

    A code list rather than an admin-editable table: each channel carries behaviour
    (opening hours, rostering, e-mail never being "outside hours").
    """

    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("E-mail")
