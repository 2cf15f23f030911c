"""Data-subject requests about one case: what personal content it holds, an export of it
(right of access), and its erasure (right to erasure). Administrators only (the views check
`Action.CASE_ERASE`).

Erasure removes the personal content and keeps what the figures count:

- removed: the notes of the case's contacts (blanked); each victim's relation to the caller
  (NULL); the follow-ups of the case's contacts (deleted); the contacts' links to the case;
  the case itself, with its summary and its consultation items (their decisions); the
  contacts' links to their caller profile, the notes and flags of those profiles, and the
  profiles left without contacts.
- kept: the contacts with channel, times, site and every taxonomy code; the victims with
  their age group and gender; `follow_up_needed`; the audit entries (they hold no content).

So the annual figures stay exactly the same. The contacts are changed with `queryset.update()`,
which leaves `updated_at` alone: nothing the aggregates count changed, so the nightly rebuild
need not redo their days.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db import transaction

from meldpunt.audit import Action, audit_record

from ..models import (
    CallerProfile,
    CallerProfileFlag,
    Case,
    ConsultationItem,
    Contact,
    FollowUp,
    Victim,
)


@dataclass(frozen=True)
class CaseContent:
    """How much personal content a case holds: counts only."""

    contacts: int
    contacts_with_notes: int
    victims: int
    victims_with_relation: int
    follow_ups: int
    consultation_items: int
    decisions: int
    has_summary: bool

    @property
    def anything(self) -> bool:
        return bool(
            self.contacts_with_notes
            or self.victims_with_relation
            or self.follow_ups
            or self.consultation_items
            or self.has_summary
        )


@dataclass(frozen=True)
class ErasureResult:
    """What `case_erase` removed: counts only."""

    case_reference: str
    contacts_unlinked: int
    notes_blanked: int
    victim_relations_removed: int
    follow_ups_deleted: int
    consultation_items_deleted: int
    summary_removed: bool
    caller_profiles_erased: int = 0

    def counts(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "case_reference"}


def case_content(case: Case) -> CaseContent:
    """Counts of what `case_erase` would remove, for the page that asks to confirm it."""
    contacts = Contact.objects.filter(case=case)
    victims = Victim.objects.filter(contact__case=case)
    items = ConsultationItem.objects.filter(case=case)
    return CaseContent(
        contacts=contacts.count(),
        contacts_with_notes=contacts.exclude(notes="").count(),
        victims=victims.count(),
        victims_with_relation=victims.filter(relation__isnull=False).count(),
        follow_ups=FollowUp.objects.filter(contact__case=case).count(),
        consultation_items=items.count(),
        decisions=items.exclude(decision="").count(),
        has_summary=bool(case.summary),
    )


def _label(term) -> str:
    return str(term.label) if term is not None else ""


def case_access_export(*, case: Case, user, request=None) -> dict:
    """Everything the register holds about the case, as JSON-ready data, for a data subject's
    request of access. Written to the audit trail (without the content)."""
    contacts = (
        Contact.objects.filter(case=case)
        .select_related(
            "theme", "context", "caller_gender", "caller_age_group", "caller_role", "region"
        )
        .prefetch_related(
            "forms_of_violence",
            "victims__age_group",
            "victims__gender",
            "victims__relation",
            "follow_ups",
        )
        .order_by("started_at", "id")
    )
    data = {
        "case": case.reference,
        "site": case.site.name,
        "opened_at": case.opened_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "summary": case.summary,
        "contacts": [
            {
                "reference": contact.reference,
                "channel": contact.channel,
                "started_at": contact.started_at.isoformat(),
                "ended_at": contact.ended_at.isoformat() if contact.ended_at else None,
                "theme": _label(contact.theme),
                "forms_of_violence": [_label(f) for f in contact.forms_of_violence.all()],
                "context": _label(contact.context),
                "caller_gender": _label(contact.caller_gender),
                "caller_age_group": _label(contact.caller_age_group),
                "caller_role": _label(contact.caller_role),
                "region": _label(contact.region),
                "notes": contact.notes,
                "victims": [
                    {
                        "age_group": _label(victim.age_group),
                        "gender": _label(victim.gender),
                        "relation": _label(victim.relation),
                    }
                    for victim in contact.victims.all()
                ],
                "follow_ups": [
                    {
                        "description": follow_up.description,
                        "due_date": follow_up.due_date.isoformat() if follow_up.due_date else None,
                        "done_at": follow_up.done_at.isoformat() if follow_up.done_at else None,
                    }
                    for follow_up in contact.follow_ups.all()
                ],
            }
            for contact in contacts
        ],
        "consultation_items": [
            {
                "consultation_starts_at": item.consultation.starts_at.isoformat(),
                "decision": item.decision,
            }
            for item in ConsultationItem.objects.filter(case=case)
            .select_related("consultation")
            .order_by("consultation__starts_at", "id")
        ],
    }
    audit_record(
        action=Action.EXPORT,
        user=user,
        request=request,
        obj=case,
        detail=f"data subject access export contacts={len(data['contacts'])}",
    )
    return data


def case_erase(*, case: Case, user, request=None) -> ErasureResult:
    """Erase the personal content of `case` (see the module docstring), in one transaction,
    and write it to the audit trail (counts only). The case no longer exists afterwards."""
    with transaction.atomic(durable=True):
        # Locked, so two administrators erasing at once do it once; the second finds no case.
        case = Case.objects.select_for_update().select_related("site").get(pk=case.pk)
        contact_ids = list(Contact.objects.filter(case=case).values_list("pk", flat=True))
        contacts = Contact.objects.filter(pk__in=contact_ids)
        notes = contacts.exclude(notes="").update(notes="")
        relations = Victim.objects.filter(
            contact_id__in=contact_ids, relation__isnull=False
        ).update(relation=None)
        _, deleted = FollowUp.objects.filter(contact_id__in=contact_ids).delete()
        profile_ids = set(
            contacts.exclude(caller_profile=None).values_list("caller_profile_id", flat=True)
        )
        contacts.update(caller_profile=None)
        profiles = CallerProfile.objects.filter(pk__in=profile_ids)
        CallerProfileFlag.objects.filter(profile__in=profiles).delete()
        profiles.update(note="", note_updated_at=None)
        profiles.filter(contacts=None).delete()
        unlinked = contacts.update(case=None)
        reference, had_summary = case.reference, bool(case.summary)
        _, deleted_case = Case.objects.filter(pk=case.pk).delete()
        result = ErasureResult(
            case_reference=reference,
            contacts_unlinked=unlinked,
            notes_blanked=notes,
            victim_relations_removed=relations,
            follow_ups_deleted=deleted.get(FollowUp._meta.label, 0),
            consultation_items_deleted=deleted_case.get(ConsultationItem._meta.label, 0),
            summary_removed=had_summary,
            caller_profiles_erased=len(profile_ids),
        )
        audit_record(
            action=Action.ERASE,
            user=user,
            request=request,
            object_type="case",
            object_ref=reference,
            site_code=case.site.code,
            detail="data subject erasure "
            + " ".join(f"{name}={int(value)}" for name, value in result.counts().items()),
        )
    return result
