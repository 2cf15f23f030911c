"""The intake's toggle-button groups drawn in one Jinja2 render per group."""

from django import template
from django.utils.safestring import mark_safe

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
