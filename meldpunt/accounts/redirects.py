from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect


def redirect_to(request, to: str, *, keep_path: bool = False):
    """Redirect to the page `to` (a URL name or path); an htmx request gets a full-page redirect.

    With `keep_path`, a GET comes back to where it was afterwards (`?next=`).
    """
    url = resolve_url(to)
    if keep_path and request.method == "GET":
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def safe_next(request, default: str = "home") -> str:
    """The `next` parameter when it points into this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path of this site: `redirect()` would take a bare word for a URL name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)
