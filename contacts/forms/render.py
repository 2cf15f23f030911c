"""The renderer of the intake's and the contact list's forms: Django's own Jinja2 form
renderer, with Django's own widget templates (django/forms/jinja2).

The intake page has some 150 radio buttons, checkboxes and select options. Through the
default renderer each option is three nested Django-template includes: 62 ms for the
whole intake page, against 29 ms with this renderer (demo data, one request at a time on
a quiet machine, median of 35). Only these forms use it: the admin's widgets have
templates for the Django template engine alone.
"""

from django.forms.renderers import Jinja2

# One renderer, and so one Jinja2 environment with its compiled templates, per process.
RENDERER = Jinja2()


class JinjaRenderedMixin:
    """A form drawn by RENDERER (a formset takes it as formset_factory(renderer=...))."""

    default_renderer = RENDERER
