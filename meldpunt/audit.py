"""Writing the audit trail (`AuditEntry`, see meldpunt/models.py) and purging it.

Every view of a contact's or case's details, every change, export, import, login, logout and
failed login becomes one entry. Free text (notes, summaries, decisions, follow-up
descriptions) is never copied into the log: changed free-text fields show as "***".

An entry written inside a service's transaction commits or rolls back with the change it
describes; called outside a transaction (a page that only reads), the entry is written in a
transaction of its own.
"""

import getpass
import ipaddress
import logging
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from .accounts.lockout import client_ip
from .models import AuditEntry

logger = logging.getLogger("meldpunt.audit")

Action = AuditEntry.Action
MASK = "***"
# Free-text fields: whether they changed is logged, never what they say.
MASKED_FIELDS = frozenset({"notes", "summary", "decision", "description"})


def cli_username() -> str:
    """Who runs a management command: `cli:` and the operating-system account."""
    try:
        account = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor in the password db
        account = "unknown"
    return f"cli:{account}"


def user_site_code(user) -> str:
    """The code of the site a user works for, or "" (no staff profile).

    Reached through the user's `staff_member` relation, so that meldpunt imports no app.
    """
    member = getattr(user, "staff_member", None) if user is not None else None
    site = getattr(member, "site", None)
    return getattr(site, "code", "") or ""


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return _jsonable(value.pk)
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(v) for v in value), key=str)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _mask(value):
    # Blank stays blank: "a note was added" is worth knowing; its text is not logged.
    return value if value in (None, "") else MASK


def audit_changes(old: Mapping, new: Mapping, masked=MASKED_FIELDS) -> dict:
    """`{field: [old, new]}` for every field whose value differs between two snapshots.

    A field missing from one side counts as None (so a creation is `audit_changes({}, new)`).
    Values become JSON (instants in ISO 8601, model instances as their key); fields named in
    `masked` show "***" instead of their text.
    """
    changes = {}
    for name in [*old, *(name for name in new if name not in old)]:
        before, after = _jsonable(old.get(name)), _jsonable(new.get(name))
        if before == after:
            continue
        if name in masked:
            before, after = _mask(before), _mask(after)
        changes[name] = [before, after]
    return changes


def _masked_again(changes: Mapping | None) -> dict:
    # A second guard, for callers that built `changes` by hand.
    return {
        name: [_mask(v) for v in values] if name in MASKED_FIELDS else _jsonable(values)
        for name, values in (changes or {}).items()
    }


def _client_ip(request) -> str | None:
    # The same address the login lockout counts: REMOTE_ADDR, or the one the trusted
    # reverse proxies forward (never what the client itself wrote in X-Forwarded-For).
    raw = client_ip(request) or ""
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def _object_site_code(obj) -> str:
    site = getattr(obj, "site", None)
    return getattr(site, "code", "") or ""


def audit_record(
    *,
    action: str,
    user=None,
    request=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_ref: str = "",
    site_code: str = "",
    changes: Mapping | None = None,
    detail: str = "",
    username: str = "",
) -> AuditEntry:
    """Write one audit entry.

    `user` defaults to the request's user; `username` to the user's (give it for failed
    logins and command-line jobs). With `obj`, the object type, reference and site code are
    taken from it unless given.
    """
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_ref = object_ref or str(getattr(obj, "reference", "") or obj.pk)
        site_code = site_code or _object_site_code(obj)
    entry = AuditEntry(
        action=action,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        object_type=object_type[:40],
        object_ref=str(object_ref)[:100],
        site_code=site_code[:32],
        changes=_masked_again(changes),
        detail=detail[:500],
    )
    if request is not None:
        entry.ip = _client_ip(request)
        entry.user_agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    # Inside a service's transaction this joins it; alone, it is its own transaction.
    with transaction.atomic(savepoint=False):
        entry.save()
    logger.info("%s %s %s by %s", entry.action, entry.object_type, entry.object_ref, entry.username)
    return entry


def audit_purge_older_than(cutoff: datetime) -> int:
    """Delete the entries from before `cutoff`; returns how many. The retention job's
    service, and the only way entries leave the log: on PostgreSQL the append-only trigger
    lets a DELETE through only in a transaction that sets `meldpunt.audit_purge`."""
    if timezone.is_naive(cutoff):
        raise ValueError("cutoff must be an aware datetime")
    with transaction.atomic(durable=True):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Transaction-local: gone at commit or rollback, never seen by other sessions.
                cursor.execute("SET LOCAL meldpunt.audit_purge = 'on'")
        # The base manager is Django's plain one; `AuditEntry.objects` refuses deletes.
        deleted, _ = AuditEntry._base_manager.filter(at__lt=cutoff).delete()
        audit_record(
            action=Action.DELETE,
            object_type="audit_entry",
            username=cli_username(),
            detail=f"retention before={cutoff.isoformat()} rows={deleted}",
        )
    return deleted


# --- Authentication signals ---------------------------------------------------------------
# Receivers connected in MeldpuntConfig.ready(). They only keep the books on logins; no
# business rule hangs on them (lockout after failed logins is the login machinery's job).


def audit_login(sender, request, user, **kwargs) -> None:
    audit_record(action=Action.LOGIN, user=user, request=request, site_code=user_site_code(user))


def audit_logout(sender, request, user, **kwargs) -> None:
    if user is None or not user.is_authenticated:
        return  # logging out without being logged in
    audit_record(action=Action.LOGOUT, user=user, request=request, site_code=user_site_code(user))


def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    field = get_user_model().USERNAME_FIELD
    attempted = str(credentials.get(field) or credentials.get("username") or "")
    # `username` is the name that was tried; `user` stays empty unless a session that is
    # already logged in made the attempt.
    audit_record(action=Action.LOGIN_FAILED, request=request, username=attempted)
