"""Adding and completing follow-ups on the contact page, through htmx (or a plain POST)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meldpunt.permissions import Action, permission_required

from ..forms import FollowUpForm
from ..models import Contact, FollowUp
from ..services import followup_complete, followup_create
from .contacts import contact_detail_response
from .home import follow_ups_overdue_first

TEAM_PAGE_LIMIT = 500


def _contact(request, reference) -> Contact:
    return get_object_or_404(Contact.objects.viewable_by(request.user), reference=reference)


def _followups_partial(request, contact, form=None, focus=False):
    form = form or FollowUpForm(contact=contact, user=request.user)
    if focus:
        # The swapped-in form takes the focus back, so the next follow-up is typed at once.
        form.fields["description"].widget.attrs["autofocus"] = True
    return render(
        request,
        "contacts/_followups.html",
        {
            "contact": contact,
            "follow_ups": contact.follow_ups.select_related("assignee", "done_by"),
            "follow_up_form": form,
        },
    )


@permission_required(Action.FOLLOWUP_MANAGE)
@require_POST
def followup_add(request, reference):
    contact = _contact(request, reference)
    form = FollowUpForm(request.POST, contact=contact, user=request.user)
    if form.is_valid():
        followup_create(contact=contact, created_by=request.user, **form.cleaned_data)
        if request.htmx:
            return _followups_partial(request, contact, focus=True)
        messages.success(request, _("Follow-up added."))
        return redirect("contacts:detail", reference=contact.reference)
    if request.htmx:
        return _followups_partial(request, contact, form, focus=True)
    return contact_detail_response(request, reference, follow_up_form=form)


@permission_required(Action.FOLLOWUP_MANAGE)
@require_POST
def followup_done(request, reference, pk):
    contact = _contact(request, reference)
    follow_up = get_object_or_404(contact.follow_ups, pk=pk)
    followup_complete(follow_up=follow_up, done_by=request.user)
    if request.htmx:
        return _followups_partial(request, contact)
    messages.success(request, _("Follow-up marked as done."))
    return redirect("contacts:detail", reference=contact.reference)


@permission_required(Action.FOLLOWUP_TEAM_VIEW)
def followup_team(request):
    """The team's open follow-ups (a site coordinator's site; every site for line-wide
    roles), overdue first."""
    today = timezone.localdate()
    follow_ups = follow_ups_overdue_first(
        FollowUp.objects.viewable_by(request.user)
        .open()
        .select_related("contact", "contact__site", "assignee"),
        today,
    )
    return render(
        request,
        "contacts/followup_team.html",
        {"follow_ups": follow_ups[:TEAM_PAGE_LIMIT], "limit": TEAM_PAGE_LIMIT, "today": today},
    )
