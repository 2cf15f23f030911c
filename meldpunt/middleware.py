"""Middleware of the project itself."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStoreForAuthenticatedMiddleware:
    """Nothing a signed-in user sees is kept by the browser's or a proxy's cache.

    Contact pages and exports hold what callers told the line: on a shared computer, the
    back button or the disk cache must not show them to the next person. Static files are
    served before this middleware (WhiteNoise) and are skipped here too.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.static_prefix)
        ):
            # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
            add_never_cache_headers(response)
            response.headers["Pragma"] = "no-cache"
        return response
