"""Widgets drawn in Python, to the byte what Django's own widget templates draw.

The intake page has some 150 radio buttons, checkboxes and select options. Drawn through
Django's widget templates, each option is three nested template includes: more than half
of the page's time under load. `FastRenderMixin` draws the few templates these widgets use
(input, radio and checkbox options, select and its options) with plain string building,
and leaves any other template to Django. tests/contacts/test_render.py renders every
widget of the intake both ways and compares them, so a Django upgrade that changes its
templates fails there rather than drifting.
"""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

_WIDGETS = "django/forms/widgets/"


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(_string(value))}"')
    return "".join(parts)


def _string(value):
    # `value|stringformat:'s'`: "%s" % value, still safe if the value was (is_safe filter).
    if hasattr(value, "__html__"):
        return value
    return "%s" % (value,)  # noqa: UP031 - exactly the filter's formatting


def _text(value) -> str:
    # `{{ value }}` of a label: a string, escaped unless safe.
    return conditional_escape(value if isinstance(value, str) else str(value))


def _input(widget: dict) -> str:
    # django/forms/widgets/input.html
    value = ""
    if widget["value"] != None:  # noqa: E711 - the template's `!= None`, whatever __eq__ says
        value = f' value="{conditional_escape(_string(widget["value"]))}"'
    kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>\n'


def _input_widget(widget: dict) -> str:
    # text.html, datetime.html, checkbox.html, ...: input.html and a new line
    return _input(widget) + "\n"


def _input_option(widget: dict) -> str:
    # django/forms/widgets/input_option.html
    html = _input(widget)
    if widget.get("wrap_label"):
        label_for = widget["attrs"].get("id")
        opening = f'<label for="{conditional_escape(label_for)}">' if label_for else "<label>"
        html = f"{opening}{html} {_text(widget['label'])}</label>"
    return html + "\n"


def _choice_option(widget: dict) -> str:
    # django/forms/widgets/radio_option.html and checkbox_option.html
    return _input_option(widget) + "\n"


def _select_option(widget: dict) -> str:
    # django/forms/widgets/select_option.html
    value = conditional_escape(_string(widget["value"]))
    return f'<option value="{value}"{_attrs(widget["attrs"])}>{_text(widget["label"])}</option>\n'


def _select(widget: dict) -> str | None:
    # django/forms/widgets/select.html
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _WIDGETS + "select_option.html":
                return None
            parts.append("\n  ")
            parts.append(_select_option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


_DRAW = {
    _WIDGETS + "input.html": _input,
    _WIDGETS + "text.html": _input_widget,
    _WIDGETS + "datetime.html": _input_widget,
    _WIDGETS + "date.html": _input_widget,
    _WIDGETS + "checkbox.html": _input_widget,
    _WIDGETS + "radio_option.html": _choice_option,
    _WIDGETS + "checkbox_option.html": _choice_option,
    _WIDGETS + "select_option.html": _select_option,
    _WIDGETS + "select.html": _select,
}


class FastRenderMixin:
    """A widget whose templates (and its options') are drawn by _DRAW when it has them."""

    def _render(self, template_name, context, renderer=None):
        draw = _DRAW.get(template_name)
        html = draw(context["widget"]) if draw is not None else None
        if html is None:
            return super()._render(template_name, context, renderer)
        # As Django's renderers do (BaseRenderer.render strips the template's output).
        return mark_safe(html.strip())  # noqa: S308 # nosec B308 B703 - every value above is escaped


class Select(FastRenderMixin, forms.Select):
    pass


class TextInput(FastRenderMixin, forms.TextInput):
    pass


class CheckboxInput(FastRenderMixin, forms.CheckboxInput):
    pass
