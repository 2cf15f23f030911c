"""The renderer of the intake's and the contact list's forms: Django's own Jinja2 form
renderer, with Django's own widget templates (django/forms/jinja2).

The intake page has some 150 radio buttons, checkboxes and select options. Through the
default renderer each option is three nested Django-template includes: 62 ms for the
whole intake page, against 29 ms with this renderer (demo data, one request at a time on
a quiet machine, median of 35). Its select options written in place and its button
groups drawn in one render each (contacts/jinja2, contacts/templatetags/contacts_render.py)
take it from 53 to 44 ms (the bench database, another machine, mean of 40). Only these
forms use it: the admin's widgets have templates for the Django template engine alone.
"""

from functools import cached_property
from pathlib import Path

import django.forms
from django.forms.renderers import Jinja2


class ContactsRenderer(Jinja2):
    """Django's Jinja2 renderer, reading contacts/jinja2 before Django's own widget
    templates: there select.html writes its options in place (one include per option
    was a third of the intake page's time) and contacts/toggle_buttons.html draws a
    button group in one render. The markup stays Django's (tests/contacts/test_render.py)."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    Path(__file__).resolve().parent.parent / "jinja2",
                    Path(django.forms.__file__).parent / "jinja2",
                ],
                "NAME": "meldpuntforms",
                "OPTIONS": {},
            }
        )


# One renderer, and so one Jinja2 environment with its compiled templates, per process.
RENDERER = ContactsRenderer()


class JinjaRenderedMixin:
    """A form drawn by RENDERER (a formset takes it as formset_factory(renderer=...))."""

    default_renderer = RENDERER
