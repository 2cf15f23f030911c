"""Retention: what the register forgets, and when.

Contacts whose local start date lies more than RETENTION_CONTACT_YEARS back lose their
personal content; what the figures count stays:

| removed | kept |
|---|---|
| the contact's free-text notes (blanked) | the contact: channel, times, site, every taxonomy code |
| each victim's relation to the caller (NULL) | the victims and their age group and gender |
| the contact's link to its case (NULL) | `follow_up_needed` |
| cases left without contacts, with their summary and consultation items (decisions) | |
| done follow-ups (deleted); open ones keep their date and assignee, not their text | |
| caller-profile notes unchanged since, without a later contact (blanked) | the profiles |

Only for days already in the aggregates: the day is at most `aggregated_through()`, no
`DirtyDay` waits for it, none of its contacts changed since the last successful nightly run
(minus the same margin the nightly run looks back), and its raw contact count equals the
aggregated one. A day that fails any of these is left for a later run. The figures do not
depend on what is removed, so they stay exactly the same; this rule makes sure that also holds
for a day whose figures are still to be built from a contact that is being corrected.

Bulk UPDATEs in batches, one transaction per batch: `queryset.update()` leaves `updated_at` as
it was (no `auto_now`), so the nightly rebuild does not take the days for changed; nothing it
counts changed. Audit entries older than RETENTION_AUDIT_YEARS are purged through
`meldpunt.audit.audit_purge_older_than`, the only way out of the append-only log.

Idempotent: a second run finds nothing left to remove and writes nothing. The log (logger
`meldpunt.retention`, INFO) and the audit entry hold counts only, never content.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from contacts.models import CallerProfile, Case, ConsultationItem, Contact, FollowUp, Victim
from meldpunt.audit import Action, audit_purge_older_than, audit_record, cli_username
from meldpunt.models import AuditEntry
from reports.models import AggregateRun, DirtyDay
from staffing.services.time import BRUSSELS, day_start, local_date

from .aggregates import aggregated_through, days_out_of_step, last_successful_run

logger = logging.getLogger("meldpunt.retention")

BATCH_SIZE = 1000


@dataclass(frozen=True)
class RetentionResult:
    """What one run removed (or, dry, would remove): counts only."""

    contacts_before: date  # contacts of local days before this one are past retention
    audit_before: datetime
    contacts_cleared: int = 0
    notes_blanked: int = 0
    victim_relations_removed: int = 0
    case_links_removed: int = 0
    cases_deleted: int = 0
    consultation_items_deleted: int = 0
    follow_ups_deleted: int = 0
    follow_up_descriptions_blanked: int = 0
    profile_notes_blanked: int = 0
    days_waiting: int = 0  # past retention, but not yet (reliably) in the aggregates
    audit_entries_deleted: int = 0
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        return {
            name: value
            for name, value in asdict(self).items()
            if isinstance(value, int) and not isinstance(value, bool)
        }

    @property
    def removed_anything(self) -> bool:
        counts = self.counts()
        counts.pop("days_waiting")
        return any(counts.values())


def years_before(moment, years: int):
    """The same calendar date `years` back (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def _changes_since() -> datetime | None:
    """Contacts updated at or after this may be newer than their aggregates: the start of the
    last successful nightly run (any run, before the first nightly one) minus the margin the
    nightly run itself looks back."""
    run = last_successful_run(AggregateRun.Kind.CHANGED) or last_successful_run()
    if run is None:
        return None
    return run.started_at - timedelta(hours=settings.REPORTS_CHANGE_MARGIN_HOURS)


def _local_days(queryset) -> set[date]:
    return set(
        queryset.annotate(local_day=TruncDate("started_at", tzinfo=BRUSSELS))
        .order_by()
        .values_list("local_day", flat=True)
        .distinct()
    )


def expired_contacts(*, now: datetime | None = None) -> tuple[QuerySet, date, int]:
    """The contacts past retention whose days are in the aggregates, the first local day
    still within retention, and how many expired days must wait for the aggregates."""
    now = now or timezone.now()
    before = years_before(local_date(now), settings.RETENTION_CONTACT_YEARS)
    expired = Contact.objects.filter(started_at__lt=day_start(before))
    through, since = aggregated_through(), _changes_since()
    all_days = _local_days(expired)
    if through is None or since is None:
        return Contact.objects.none(), before, len(all_days)
    last = min(through, before - timedelta(days=1))
    stale = (
        set(DirtyDay.objects.filter(day__lte=last).values_list("day", flat=True))
        | _local_days(expired.filter(updated_at__gte=since))
        | days_out_of_step(last)
    )
    ready = (
        expired.filter(started_at__lt=day_start(last + timedelta(days=1)))
        # Implied by the stale days, repeated so that a contact changed while this runs is
        # never touched before its day is rebuilt.
        .filter(updated_at__lt=since)
        .annotate(local_day=TruncDate("started_at", tzinfo=BRUSSELS))
        .exclude(local_day__in=sorted(stale))
    )
    waiting = len(all_days - _local_days(ready))
    return ready, before, waiting


def _with_content(contacts):
    """Of `contacts`, those that still hold something retention removes."""
    return contacts.filter(
        ~Q(notes="")
        | Q(case__isnull=False)
        | Exists(Victim.objects.filter(contact=OuterRef("pk"), relation__isnull=False))
        | Exists(
            FollowUp.objects.filter(contact=OuterRef("pk")).filter(
                Q(done_at__isnull=False) | ~Q(description="")
            )
        )
    )


def _clear_batch(ids: list[int]) -> dict[str, int]:
    """Remove the personal content of the contacts `ids`, in one transaction."""
    with transaction.atomic():
        contacts = Contact.objects.filter(pk__in=ids)
        case_ids = set(
            contacts.filter(case__isnull=False).values_list("case_id", flat=True).distinct()
        )
        # update(), not save(): `updated_at` stays, so the nightly rebuild sees no change.
        counts = {
            "notes_blanked": contacts.exclude(notes="").update(notes=""),
            "case_links_removed": contacts.filter(case__isnull=False).update(case=None),
            "victim_relations_removed": Victim.objects.filter(
                contact_id__in=ids, relation__isnull=False
            ).update(relation=None),
            "follow_up_descriptions_blanked": FollowUp.objects.filter(
                contact_id__in=ids, done_at__isnull=True
            )
            .exclude(description="")
            .update(description=""),
        }
        _, deleted = FollowUp.objects.filter(contact_id__in=ids, done_at__isnull=False).delete()
        counts["follow_ups_deleted"] = deleted.get(FollowUp._meta.label, 0)
        # Cases this batch left empty; a case with a recent contact stays.
        _, deleted = Case.objects.filter(pk__in=case_ids, contacts__isnull=True).delete()
        counts["cases_deleted"] = deleted.get(Case._meta.label, 0)
        counts["consultation_items_deleted"] = deleted.get(ConsultationItem._meta.label, 0)
    return counts


def _count_batch(ids: list[int]) -> dict[str, int]:
    """What `_clear_batch(ids)` would remove, but the cases (`_count_cases` counts those)."""
    contacts = Contact.objects.filter(pk__in=ids)
    follow_ups = FollowUp.objects.filter(contact_id__in=ids)
    return {
        "notes_blanked": contacts.exclude(notes="").count(),
        "case_links_removed": contacts.filter(case__isnull=False).count(),
        "victim_relations_removed": Victim.objects.filter(
            contact_id__in=ids, relation__isnull=False
        ).count(),
        "follow_up_descriptions_blanked": follow_ups.filter(done_at__isnull=True)
        .exclude(description="")
        .count(),
        "follow_ups_deleted": follow_ups.filter(done_at__isnull=False).count(),
    }


def _count_cases(ready) -> dict[str, int]:
    """The cases a run would delete: linked to contacts past retention, and to no other. All
    batches at once, since a case's contacts may fall in different batches."""
    ready_ids = ready.values("pk")
    emptied = Case.objects.filter(contacts__in=ready_ids).exclude(
        contacts__in=Contact.objects.exclude(pk__in=ready_ids)
    )
    emptied = Case.objects.filter(pk__in=emptied.values("pk"))
    return {
        "cases_deleted": emptied.count(),
        "consultation_items_deleted": ConsultationItem.objects.filter(case__in=emptied).count(),
    }


def _profile_notes_expire(cutoff: datetime, dry_run: bool) -> int:
    """Blank the caller-profile notes last changed before `cutoff` whose profile has no
    contact since: the note is about contacts that are past retention themselves."""
    expired = CallerProfile.objects.exclude(note="").filter(note_updated_at__lt=cutoff)
    expired = expired.exclude(
        Exists(Contact.objects.filter(caller_profile=OuterRef("pk"), started_at__gte=cutoff))
    )
    if dry_run:
        return expired.count()
    with transaction.atomic():
        return expired.update(note="", note_updated_at=None)


def retention_apply(*, now: datetime | None = None, dry_run: bool = False) -> RetentionResult:
    """Remove the personal content past retention (see the module docstring) and purge old
    audit entries; with `dry_run`, only count what would go. Must not run inside a
    transaction: every batch, and the audit purge, is its own."""
    now = now or timezone.now()
    ready, before, waiting = expired_contacts(now=now)
    audit_before = years_before(now, settings.RETENTION_AUDIT_YEARS)
    totals: dict[str, int] = {}
    cleared = 0
    last_id = 0
    candidates = _with_content(ready).order_by("pk").values_list("pk", flat=True)
    while True:
        ids = list(candidates.filter(pk__gt=last_id)[:BATCH_SIZE])
        if not ids:
            break
        last_id = ids[-1]
        counts = _count_batch(ids) if dry_run else _clear_batch(ids)
        cleared += len(ids)
        for name, value in counts.items():
            totals[name] = totals.get(name, 0) + value
    if dry_run:
        totals.update(_count_cases(ready))
    totals["profile_notes_blanked"] = _profile_notes_expire(day_start(before), dry_run)
    old_entries = AuditEntry.objects.filter(at__lt=audit_before)
    if dry_run:
        audit_deleted = old_entries.count()
    else:
        # The purge writes an entry of its own; a run with nothing to purge writes none.
        audit_deleted = audit_purge_older_than(audit_before) if old_entries.exists() else 0
    result = RetentionResult(
        contacts_before=before,
        audit_before=audit_before,
        contacts_cleared=cleared,
        days_waiting=waiting,
        audit_entries_deleted=audit_deleted,
        dry_run=dry_run,
        **totals,
    )
    summary = " ".join(f"{name}={value}" for name, value in result.counts().items())
    if not dry_run and (cleared or result.profile_notes_blanked):
        audit_record(
            action=Action.ERASE,
            object_type="retention",
            username=cli_username(),
            detail=f"retention contacts_before={before.isoformat()} {summary}"[:500],
        )
    logger.info(
        "Retention%s: contacts before %s, %s", " (dry run)" if dry_run else "", before, summary
    )
    return result
