"""Parts of the intake and the contact list drawn in one Jinja2 render each, where a
Django-template loop cost most of the page's time."""

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from contacts.forms.render import RENDERER

register = template.Library()


@register.simple_tag
def toggle_buttons(field, numbered=False):
    """Each option of a radio or checkbox field as `choice.tag` draws it, followed by its
    label: one render of contacts/toggle_buttons.html instead of a Django-template loop
    with a widget render per option (the intake has some 150 of them)."""
    html = RENDERER.render(
        "contacts/toggle_buttons.html",
        {"options": [choice.data for choice in field], "numbered": numbered},
    )
    # As Widget._render: the Jinja2 environment escapes every value it writes.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - escaped by Jinja2's autoescape


def _term(value) -> str:
    return "" if value is None else str(value)


@register.simple_tag
def contact_rows(page, show_site):
    """The contact list's 50 rows in one Jinja2 render (contacts/list_rows.html): the
    Django-template loop over them, a cell at a time, was two thirds of the page's time.
    Each value is formatted here as the template's filters formatted it."""
    rows = []
    for contact in page:
        person = contact.registered_by
        rows.append(
            {
                "url": reverse("contacts:detail", args=[contact.reference]),
                "reference": contact.reference,
                "flagged": contact.is_flagged,
                "started": date_format(template_localtime(contact.started_at), "d/m/Y H:i"),
                "duration": timesince(contact.started_at, contact.ended_at)
                if contact.ended_at
                else "",
                "channel": contact.get_channel_display(),
                "contact_type": _term(contact.contact_type),
                "theme": _term(contact.theme),
                "age_group": _term(contact.caller_age_group),
                "gender": _term(contact.caller_gender),
                "site": _term(contact.site) if show_site else "",
                "case": contact.case.reference if contact.case else "",
                "case_url": reverse("contacts:case_detail", args=[contact.case.reference])
                if contact.case
                else "",
                "follow_up_open": contact.has_open_follow_up,
                "follow_up_needed": contact.follow_up_needed,
                "registered_by": (person.get_full_name() or person.get_username())
                if person
                else "",
            }
        )
    text = {
        "flagged": _("Flagged for a check"),
        "not_recorded": _("not recorded"),
        "open": _("open"),
        "needed": _("needed"),
        "none": _("No contacts match these filters."),
    }
    html = RENDERER.render(
        "contacts/list_rows.html", {"rows": rows, "show_site": show_site, "text": text}
    )
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - escaped by Jinja2's autoescape
