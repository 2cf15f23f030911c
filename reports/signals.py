"""Bookkeeping receivers: record the local days whose aggregates a write made stale although
no row of that day shows it (reports/services/aggregates.py explains the three sources).

Signals are not for business rules here (STYLE.md), and these hold none: they only note a
date, in the writer's transaction, so a rolled-back write leaves no note. They exist because
the contacts services must not know about reports (apps import one way) and because writes
through the admin would bypass any explicit call. Bulk writes send no signals; the
`updated_at` high-water mark and the nightly consistency check catch those.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from contacts.models import CallAttempt, Contact
from staffing.models import Closure
from staffing.services.time import dates_between, local_date

from .models import DirtyDay


def _record(day, reason) -> None:
    DirtyDay.objects.create(day=day, reason=reason)


@receiver(pre_save, sender=Contact, dispatch_uid="reports_contact_moved")
@receiver(pre_save, sender=CallAttempt, dispatch_uid="reports_attempt_moved")
def record_moved_day(sender, instance, raw=False, **kwargs):
    """A correction of the start may move a row to another day: the old day is stale too."""
    if raw or instance._state.adding or instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values_list("started_at", flat=True).first()
    if before is not None and local_date(before) != local_date(instance.started_at):
        _record(local_date(before), DirtyDay.Reason.MOVED)


@receiver(post_delete, sender=Contact, dispatch_uid="reports_contact_deleted")
@receiver(post_delete, sender=CallAttempt, dispatch_uid="reports_attempt_deleted")
def record_deleted_day(sender, instance, **kwargs):
    _record(local_date(instance.started_at), DirtyDay.Reason.DELETED)


@receiver(pre_save, sender=Closure, dispatch_uid="reports_closure_changed")
def record_closure_days_before(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    before = Closure.objects.filter(pk=instance.pk).first()
    if before is not None:
        _closure_days(before)


@receiver(post_save, sender=Closure, dispatch_uid="reports_closure_saved")
@receiver(post_delete, sender=Closure, dispatch_uid="reports_closure_deleted")
def record_closure_days(sender, instance, raw=False, **kwargs):
    if not raw:
        _closure_days(instance)


def _closure_days(closure: Closure) -> None:
    DirtyDay.objects.bulk_create(
        DirtyDay(day=day, reason=DirtyDay.Reason.CLOSURE)
        for day in dates_between(local_date(closure.starts_at), local_date(closure.ends_at))
    )
