"""Reads of the contacts app: permission-aware querysets, shaped for the pages that use them."""

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from .models import Case, Contact, FollowUp, Victim

# The theme filter's value for contacts without a recorded theme.
NOT_RECORDED = "none"


def _local_midnight(day: date) -> datetime:
    # Midnight exists on every day in Brussels (DST changes at 02:00/03:00).
    return timezone.make_aware(datetime.combine(day, time.min))


def contacts_with_open_follow_up_flag(queryset):
    return queryset.annotate(
        has_open_follow_up=Exists(
            FollowUp.objects.filter(contact=OuterRef("pk"), done_at__isnull=True)
        )
    )


def contacts_filter(user, params: dict):
    """The contacts `user` may see that match the contact list's filters, newest first.

    `params` is the cleaned data of `ContactFilterForm`; dates are local calendar days,
    both ends included.
    """
    contacts = Contact.objects.viewable_by(user)
    if params.get("q"):
        # A whole reference is its own prefix.
        contacts = contacts.filter(reference__startswith=params["q"])
    if params.get("date_from"):
        contacts = contacts.filter(started_at__gte=_local_midnight(params["date_from"]))
    if params.get("date_to"):
        end = _local_midnight(params["date_to"] + timedelta(days=1))
        contacts = contacts.filter(started_at__lt=end)
    if params.get("channel"):
        contacts = contacts.filter(channel=params["channel"])
    if params.get("theme") == NOT_RECORDED:
        contacts = contacts.filter(theme__isnull=True)
    elif params.get("theme"):
        contacts = contacts.filter(theme_id=params["theme"])
    if params.get("site"):
        contacts = contacts.filter(site=params["site"])
    if params.get("case"):
        contacts = contacts.filter(case__reference=params["case"])
    contacts = contacts_with_open_follow_up_flag(contacts)
    if params.get("follow_up_open"):
        contacts = contacts.filter(has_open_follow_up=True)
    return contacts.select_related(
        "site", "theme", "case", "caller_age_group", "caller_gender", "registered_by"
    ).order_by("-started_at", "-id")


def contact_for_detail(user, reference: str) -> Contact:
    """One contact with everything its page shows; DoesNotExist when `user` may not see it."""
    victims = Victim.objects.select_related("age_group", "gender", "relation")
    follow_ups = FollowUp.objects.select_related("assignee", "done_by", "created_by")
    return (
        Contact.objects.viewable_by(user)
        .select_related(
            "site",
            "registered_by",
            "case",
            "theme",
            "context",
            "caller_gender",
            "caller_age_group",
            "caller_role",
            "region",
            "awareness_source",
            "referral",
        )
        .prefetch_related(
            "forms_of_violence",
            Prefetch("victims", queryset=victims),
            Prefetch("follow_ups", queryset=follow_ups),
        )
        .get(reference=reference)
    )


def case_contacts(case: Case):
    """The contacts of a case in the order they happened."""
    return (
        contacts_with_open_follow_up_flag(case.contacts.all())
        .select_related("theme", "caller_age_group", "caller_role", "registered_by")
        .order_by("started_at", "id")
    )


def case_open_follow_ups(case: Case):
    return (
        FollowUp.objects.open()
        .filter(contact__case=case)
        .select_related("contact", "assignee")
        .order_by("due_date", "id")
    )
