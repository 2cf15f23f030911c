"""Giving a shift away: offered to one colleague or to every eligible one, accepted by a
taker (the rules checked for both people), approved by the coordinator — or at once where
the site approves rule-abiding swaps automatically.

An exchange is an offer the taker accepts by giving one of their own shifts in return:
both people leave their shift before either joins the other's, so two overlapping shifts
can be exchanged; every rule of assignment_create holds for the result.

Locks: the two staff member rows in id order, then the shift row (the order of
assignment_create, which the final move calls inside the same transaction).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.roles import Role
from staffing.models import Assignment, ReleasedAssignment, Shift, ShiftOffer, StaffMember

from .assignments import assignment_create, assignment_problems, leaving_problems
from .eligibility import assignment_problems_many
from .notifications import Kind, mail_language, notify, page_url, shift_is_published, shift_label
from .publishing import only_published

Status = ShiftOffer.Status


def _lock_members(*members) -> None:
    ids = sorted({m.pk for m in members})
    list(StaffMember.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def taker_problems(shift: Shift, taker: StaffMember, giver: StaffMember) -> list[str]:
    return _with_offer_rules(assignment_problems(shift, taker), shift, taker, giver)


def offers_with_problems(offers, taker: StaffMember) -> list[tuple[ShiftOffer, list[str]]]:
    """Each offer with what `taker` taking it would break (taker_problems), all offers
    checked at once: a fixed number of queries however many offers there are."""
    offers = list(offers)
    problems = assignment_problems_many([offer.shift for offer in offers], [taker])
    return [
        (
            offer,
            _with_offer_rules(
                list(problems[taker.pk, offer.shift.pk]), offer.shift, taker, offer.offered_by
            ),
        )
        for offer in offers
    ]


def _with_offer_rules(problems, shift: Shift, taker: StaffMember, giver: StaffMember):
    if taker.site_id != shift.site_id:
        problems.append(_("%(name)s works at another site.") % {"name": taker})
    if taker.pk == giver.pk:
        problems.append(_("You cannot take your own shift."))
    return problems


def eligible_takers(shift: Shift, giver: StaffMember) -> list[StaffMember]:
    """Colleagues of the shift's site (not the giver) who may take it: taker_problems'
    rules, checked for all of them at once."""
    members = list(
        StaffMember.objects.filter(site=shift.site_id, user__is_active=True)
        .exclude(pk=giver.pk)
        .select_related("user")
    )
    problems = assignment_problems_many([shift], members)
    return [m for m in members if not problems[m.pk, shift.pk]]


def shift_offer_create(
    *, assignment: Assignment, offered_to: StaffMember | None = None
) -> ShiftOffer:
    """The person on `assignment` offers their place (to `offered_to`, or to everyone who
    may take it); the colleagues concerned are mailed."""
    shift, giver = assignment.shift, assignment.staff_member
    if shift.starts_at <= timezone.now():
        raise ValidationError(_("This shift has already started."))
    if not shift_is_published(shift):
        raise ValidationError(_("This shift is not published yet."))
    if offered_to is not None and offered_to.site_id != shift.site_id:
        raise ValidationError(_("%(name)s works at another site.") % {"name": offered_to})
    with transaction.atomic():
        try:
            with transaction.atomic():
                offer = ShiftOffer.objects.create(
                    shift=shift, offered_by=giver, offered_to=offered_to
                )
        except IntegrityError as error:
            raise ValidationError(_("You already offered this shift.")) from error
        takers = [offered_to] if offered_to else eligible_takers(shift, giver)
        with mail_language():
            notify(
                user_ids=[m.user_id for m in takers],
                kind=Kind.SWAP,
                subject=_("shift offered"),
                lines=[
                    _("%(name)s offers you this shift: %(shift)s.")
                    % {"name": giver, "shift": shift_label(shift)}
                ],
                link=page_url("staffing:open_shifts"),
            )
    return offer


def offers_for(member: StaffMember):
    """Open offers `member` may answer: made to them, or to everyone of their site."""
    return (
        ShiftOffer.objects.filter(status=Status.OFFERED, shift__starts_at__gt=timezone.now())
        .filter(Q(offered_to=member) | Q(offered_to__isnull=True, shift__site=member.site_id))
        .exclude(offered_by=member)
        .select_related("shift__site", "offered_by__user")
    )


def exchangeable(member: StaffMember) -> list[Assignment]:
    """The member's own assignments they may give in exchange: future, published shifts."""
    mine = (
        Assignment.objects.filter(staff_member=member, starts_at__gt=timezone.now())
        .select_related("shift__site")
        .order_by("starts_at", "id")
    )
    return only_published(mine)


def shift_offer_accept(
    *, offer: ShiftOffer, taker: StaffMember, in_return: Assignment | None = None
) -> ShiftOffer:
    """`taker` accepts, giving nothing or (an exchange) their place on `in_return`; the
    rules are checked for both people now. Where the site approves swaps automatically the
    shifts change hands at once, otherwise the coordinators are asked."""
    with transaction.atomic():
        _lock_members(offer.offered_by, taker)
        offer = (
            ShiftOffer.objects.select_for_update().select_related("shift__site").get(pk=offer.pk)
        )
        if offer.status != Status.OFFERED:
            raise ValidationError(_("This offer is no longer open."))
        if offer.offered_to_id not in (None, taker.pk):
            raise ValidationError(_("This offer was made to someone else."))
        shift = offer.shift
        if in_return is None:
            problems = taker_problems(shift, taker, offer.offered_by) + leaving_problems(
                shift, offer.offered_by, taker
            )
        else:
            problems = _exchange_problems(offer, taker, in_return)
        if problems:
            raise ValidationError(problems)
        offer.status, offer.taken_by, offer.accepted_at = Status.ACCEPTED, taker, timezone.now()
        offer.in_return = in_return.shift if in_return is not None else None
        offer.save(update_fields=["status", "taken_by", "accepted_at", "in_return"])
        if shift.site.swaps_auto_approve:
            return _hand_over(offer, decided_by=None)
        coordinators = StaffMember.objects.filter(
            site=shift.site_id, user__groups__name=Role.SITE_COORDINATOR
        ).values_list("user_id", flat=True)
        with mail_language():
            line = _swap_line(offer)
            notify(
                user_ids=[offer.offered_by.user_id],
                kind=Kind.SWAP,
                subject=_("your offer was accepted"),
                lines=[line, _("The coordinator still has to approve it.")],
                link=page_url("staffing:my_shifts"),
            )
            notify(
                user_ids=list(coordinators),
                kind=Kind.SWAP,
                subject=_("swap to approve"),
                lines=[line],
                link=page_url("staffing:swaps"),
            )
    return offer


def _swap_line(offer: ShiftOffer) -> str:
    names = {
        "taker": offer.taken_by,
        "giver": offer.offered_by,
        "shift": shift_label(offer.shift),
    }
    if offer.in_return is None:
        return _("%(taker)s takes over %(giver)s's shift: %(shift)s.") % names
    return _(
        "%(taker)s takes over %(giver)s's shift (%(shift)s) and gives %(giver)s theirs "
        "in exchange (%(other)s)."
    ) % {**names, "other": shift_label(offer.in_return)}


def _exchange_problems(offer: ShiftOffer, taker: StaffMember, in_return: Assignment) -> list:
    """What the exchange would break: the exchange is carried out in a savepoint and rolled
    back, so the rules are exactly assignment_create's for the resulting roster."""
    giver, shift = offer.offered_by, offer.shift
    if in_return.staff_member_id != taker.pk:
        return [_("You can only give a shift of your own in exchange.")]
    other = in_return.shift
    if other.pk == shift.pk:
        return [_("A shift cannot be exchanged for itself.")]
    if other.starts_at <= timezone.now():
        return [_("The shift you give in exchange has already started.")]
    if not shift_is_published(other):
        return [_("The shift you give in exchange is not published yet.")]
    try:
        with transaction.atomic():
            _moves_carry_out(_moves(shift, giver, taker, other), decided_by=None)
            raise _DryRun
    except _DryRun:
        return []
    except ValidationError as error:
        return error.messages


class _DryRun(Exception):
    """Rolls the trial exchange back."""


def _moves(shift: Shift, giver: StaffMember, taker: StaffMember, in_return: Shift | None):
    """(shift, who leaves it, who joins it) of a give-away or an exchange."""
    moves = [(shift, giver, taker)]
    if in_return is not None:
        moves.append((in_return, taker, giver))
    return moves


def _moves_carry_out(moves, *, decided_by) -> None:
    """Everyone leaves first (kept as released history), then everyone joins through
    assignment_create: the same rules as any assignment, for the roster after the swap."""
    problems = []
    for shift, leaver, joiner in moves:
        problems += _with_offer_rules([], shift, joiner, leaver)
        problems += leaving_problems(shift, leaver, joiner)
    if problems:
        raise ValidationError(problems)
    leaving = []
    for shift, leaver, _joiner in moves:
        assignment = Assignment.objects.filter(shift=shift, staff_member=leaver).first()
        if assignment is None:
            raise ValidationError(_("%(name)s is no longer on this shift.") % {"name": leaver})
        leaving.append(assignment)
    ReleasedAssignment.objects.bulk_create(
        ReleasedAssignment(
            shift=shift,
            staff_member=leaver,
            starts_at=assignment.starts_at,
            ends_at=assignment.ends_at,
            reason=ReleasedAssignment.Reason.SWAP,
            released_by=decided_by,
        )
        for (shift, leaver, _joiner), assignment in zip(moves, leaving, strict=True)
    )
    Assignment.objects.filter(pk__in=[a.pk for a in leaving]).delete()
    for shift, _leaver, joiner in moves:
        # By the joiner themselves: the swap's own mail tells both people, not a second one.
        assignment_create(shift=shift, staff_member=joiner, assigned_by=joiner.user)


def shift_offer_approve(*, offer: ShiftOffer, decided_by) -> ShiftOffer:
    """The coordinator approves an accepted offer: the rules are checked again, then the
    giver's assignment is released and the taker's created."""
    with transaction.atomic():
        offer = ShiftOffer.objects.select_related("offered_by", "taken_by").get(pk=offer.pk)
        _lock_members(offer.offered_by, offer.taken_by or offer.offered_by)
        offer = (
            ShiftOffer.objects.select_for_update().select_related("shift__site").get(pk=offer.pk)
        )
        if offer.status != Status.ACCEPTED:
            raise ValidationError(_("This offer is not waiting for approval."))
        return _hand_over(offer, decided_by=decided_by)


def shift_offer_refuse(*, offer: ShiftOffer, decided_by) -> ShiftOffer:
    with transaction.atomic():
        offer = (
            ShiftOffer.objects.select_for_update().select_related("shift__site").get(pk=offer.pk)
        )
        if offer.status != Status.ACCEPTED:
            raise ValidationError(_("This offer is not waiting for approval."))
        offer.status, offer.decided_by, offer.decided_at = (
            Status.REFUSED,
            decided_by,
            timezone.now(),
        )
        offer.save(update_fields=["status", "decided_by", "decided_at"])
        with mail_language():
            notify(
                user_ids=[offer.offered_by.user_id, offer.taken_by.user_id],
                kind=Kind.SWAP,
                subject=_("swap refused"),
                lines=[
                    _("The coordinator refused the swap of this shift: %(shift)s.")
                    % {"shift": shift_label(offer.shift)}
                ],
                link=page_url("staffing:my_shifts"),
            )
    return offer


def shift_offer_withdraw(*, offer: ShiftOffer, member: StaffMember) -> ShiftOffer:
    with transaction.atomic():
        offer = ShiftOffer.objects.select_for_update().get(pk=offer.pk)
        if offer.offered_by_id != member.pk or offer.status != Status.OFFERED:
            raise ValidationError(_("This offer is no longer open."))
        offer.status = Status.WITHDRAWN
        offer.save(update_fields=["status"])
    return offer


def _hand_over(offer: ShiftOffer, *, decided_by) -> ShiftOffer:
    shift, giver, taker = offer.shift, offer.offered_by, offer.taken_by
    if offer.in_return is None:
        # A give-away: the rules checked up front, with today's messages.
        problems = taker_problems(shift, taker, giver) + leaving_problems(shift, giver, taker)
        if problems:
            raise ValidationError(problems)
    _moves_carry_out(_moves(shift, giver, taker, offer.in_return), decided_by=decided_by)
    offer.status, offer.decided_by, offer.decided_at = Status.APPROVED, decided_by, timezone.now()
    offer.save(update_fields=["status", "decided_by", "decided_at"])
    with mail_language():
        if offer.in_return is None:
            line = _("%(taker)s now works this shift instead of %(giver)s: %(shift)s.") % {
                "taker": taker,
                "giver": giver,
                "shift": shift_label(shift),
            }
        else:
            line = _(
                "%(taker)s now works %(shift)s instead of %(giver)s, and %(giver)s works "
                "%(other)s instead of %(taker)s."
            ) % {
                "taker": taker,
                "giver": giver,
                "shift": shift_label(shift),
                "other": shift_label(offer.in_return),
            }
        notify(
            user_ids=[giver.user_id, taker.user_id],
            kind=Kind.SWAP,
            subject=_("swap approved"),
            lines=[line],
            link=page_url("staffing:my_shifts"),
        )
    return offer
