"""`/ping/`: the smallest signed-in page. It passes the whole middleware chain (session,
login, second factor, session lifetime, CSP) and the permission check, and makes no query
of its own: the reference every page is compared with under load (loadtest/)."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from .permissions import Action, permission_required


@require_GET
@permission_required(Action.HOME)
def signed_in_ping(request):
    return HttpResponse(status=204)
