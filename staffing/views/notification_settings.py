"""A person's own notification settings: which roster e-mails they want."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meldpunt.permissions import Action, permission_required
from staffing.forms import NotificationSettingsForm
from staffing.models import NotificationPreferences
from staffing.services.notifications import notification_preferences_set

Kind = NotificationPreferences.Kind


@require_http_methods(["GET", "POST"])
@permission_required(Action.NOTIFICATION_SETTINGS)
def notification_settings(request):
    preferences = NotificationPreferences.objects.filter(user=request.user).first()
    muted = set(preferences.muted) if preferences else set()
    form = NotificationSettingsForm(
        request.POST or None, initial={"wanted": [k for k in Kind.values if k not in muted]}
    )
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["wanted"])
        notification_preferences_set(
            user=request.user, muted_kinds=[k for k in Kind.values if k not in wanted]
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("staffing:notification_settings")
    return render(
        request,
        "staffing/notification_settings.html",
        {"form": form, "has_email": bool(request.user.email)},
    )
