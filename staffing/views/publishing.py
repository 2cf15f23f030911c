"""Publishing a site's month: from draft to the roster responders see."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meldpunt.permissions import Action, permission_required
from staffing.models import Site
from staffing.services.publishing import roster_publish

from .access import chosen_site


@require_POST
@permission_required(Action.ROSTER_PLAN)
def publish(request):
    site = chosen_site(request, Site.objects.plannable_by(request.user))
    try:
        month = date.fromisoformat(request.POST.get("month", ""))
    except ValueError:
        raise Http404 from None
    if not 2000 <= month.year <= 2100:
        raise Http404
    try:
        roster_publish(site=site, month=month, published_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The roster is published; the team is told by e-mail."))
    return redirect(f"{reverse('staffing:roster')}?site={site.pk}&week={month:%Y-%m-%d}")
