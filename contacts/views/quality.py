"""The data-quality page: flagged (unusual) contacts of a year, for coordinators to check."""

from datetime import date

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meldpunt.permissions import Action, permission_required
from staffing.services.time import day_start

from ..models import Contact, ContactFlag
from ..services.quality import contact_flag_check

YEAR_MIN, YEAR_MAX = 2000, 2999
PAGE_LIMIT = 500


def _year(request) -> int:
    text = request.GET.get("year", "")
    if text.isascii() and text.isdigit() and YEAR_MIN <= int(text) <= YEAR_MAX:
        return int(text)
    return timezone.localdate().year


def flags_viewable(user):
    return ContactFlag.objects.filter(contact__in=Contact.objects.viewable_by(user))


@permission_required(Action.DATA_QUALITY)
def data_quality(request):
    year = _year(request)
    start, end = day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))
    flags = (
        flags_viewable(request.user)
        .filter(contact__started_at__gte=start, contact__started_at__lt=end)
        .select_related("contact", "contact__site", "checked_by")
        .order_by("checked_at", "-contact__started_at", "id")
    )
    unchecked = flags.filter(checked_at__isnull=True).count()
    return render(
        request,
        "contacts/data_quality.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, YEAR_MIN - 1, -1)[:30],
            "flags": flags[:PAGE_LIMIT],
            "unchecked": unchecked,
            "limit": PAGE_LIMIT,
        },
    )


@require_POST
@permission_required(Action.DATA_QUALITY)
def flag_check(request, pk):
    flag = get_object_or_404(flags_viewable(request.user).select_related("contact__site"), pk=pk)
    contact_flag_check(flag=flag, user=request.user)
    messages.success(request, _("Marked as checked."))
    year = timezone.localtime(flag.contact.started_at).year
    return redirect(f"{reverse('contacts:data_quality')}?year={year}")
