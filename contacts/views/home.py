from django.shortcuts import render

from meldpunt.channels import Channel
from meldpunt.permissions import Action, permission_required

from ..models import Contact, FollowUp


@permission_required(Action.HOME)
def home(request):
    """The start page: register a contact in one click, and what is waiting for me."""
    my_follow_ups = (
        FollowUp.objects.viewable_by(request.user)
        .open()
        .filter(assignee=request.user)
        .select_related("contact")
        .order_by("due_date", "id")[:20]
    )
    my_recent = (
        Contact.objects.viewable_by(request.user)
        .filter(registered_by=request.user)
        .select_related("theme", "case")
        .order_by("-started_at", "-id")[:10]
    )
    return render(
        request,
        "contacts/home.html",
        {"channels": Channel.choices, "my_follow_ups": my_follow_ups, "my_recent": my_recent},
    )
