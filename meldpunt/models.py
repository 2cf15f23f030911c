"""The audit trail: who viewed, changed, exported or imported what, and who logged in.

Our own model rather than django-auditlog or django-simple-history: those record model
changes only, so views of a contact, exports, imports and failed logins would need a second
log beside them; and their diffs store every changed field in clear, while free text
(notes, summaries, decisions) must never be copied into a log that more people can read.

Append-only: the application only ever inserts. `save()` refuses updates, `delete()` and the
queryset's `update()`/`delete()` raise, the admin is read-only, and on PostgreSQL a trigger
(migration 0002) refuses UPDATE and DELETE at the database, except the purge of old entries
by `meldpunt.audit.audit_purge_older_than` and the detaching of a deleted user.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted; see audit_purge_older_than.")


class AuditEntry(models.Model):
    """One thing a person (or a command-line job) did with the register."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        EXPORT = "export", _("Exported")
        IMPORT = "import", _("Imported")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        ERASE = "erase", _("Erased")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(
        _("username"),
        max_length=150,
        blank=True,
        help_text=_(
            "Kept when the user is deleted; the name tried for a failed login; "
            "cli:<account> for command-line jobs."
        ),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_ref = models.CharField(_("object reference"), max_length=100, blank=True)
    # A code, not a foreign key: meldpunt imports no app, and the entry must outlive the site.
    site_code = models.CharField(
        _("site"), max_length=32, blank=True, help_text=_("Site whose data this is.")
    )
    changes = models.JSONField(
        _("changes"),
        default=dict,
        blank=True,
        help_text=_("{field: [old, new]}; free-text fields are masked."),
    )
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            # The audit page filtered by user, newest first ("what did this person do").
            models.Index(fields=["username", "-at"], name="auditentry_username_at"),
            # The history of one contact or case, newest first.
            models.Index(fields=["object_ref", "-at"], name="auditentry_object_ref_at"),
            # Filter by action (every export, every failed login), newest first.
            models.Index(fields=["action", "-at"], name="auditentry_action_at"),
            # A site coordinator's page: only their site's entries, newest first.
            models.Index(fields=["site_code", "-at"], name="auditentry_site_at"),
        ]
        # The plain `at` index serves the period filter, the unfiltered page and the purge.

    def __str__(self):
        who = self.username or "-"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.object_ref}".rstrip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted; see audit_purge_older_than.")


class Heartbeat(models.Model):
    """The last time a periodic process proved it was alive: `beat` is written by a task that
    Celery beat queues every 30 seconds and a worker runs (meldpunt/tasks.py), so /health/ready
    notices a dead scheduler (or no worker) within minutes instead of at the next night."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}: {self.at:%Y-%m-%d %H:%M:%S}"
