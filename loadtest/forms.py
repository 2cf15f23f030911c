"""What a browser would post for a page's form (the load test reads it from the page)."""

import re
from html.parser import HTMLParser

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _Forms(HTMLParser):
    """The values of every POST form of a page, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._form: list[tuple[str, str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = []
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self._form.append(
                        (name, "on" if attrs.get("value") is None else attrs["value"])
                    )
            elif kind not in ("submit", "button"):
                self._form.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._form.append((self._select, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self._form.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "form":
            self._form = None


def form_values(html: str, having: str) -> dict[str, str]:
    """The values of the page's POST form that has a field named `having`."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        values = dict(form)
        if having in values:
            return values
    raise ValueError(f"no form with a field {having!r}")


def csrf_token(html: str) -> str:
    """The page's CSRF token (any of its forms': they are masks of one secret)."""
    found = _CSRF.search(html)
    if found is None:
        raise ValueError("no CSRF token on the page")
    return found.group(1)
