"""The audit trail, append-only. On PostgreSQL a trigger refuses UPDATE and DELETE of its
rows at the database, whoever connects; SQLite (demo, local tests) relies on the model's
guards alone."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# DELETE passes only inside a transaction that ran SET LOCAL meldpunt.audit_purge = 'on'
# (meldpunt.audit.audit_purge_older_than, the retention job). UPDATE passes only for the
# ON DELETE SET NULL that detaches a deleted user, with every other column unchanged.
CREATE_TRIGGER = """
CREATE FUNCTION meldpunt_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('meldpunt.audit_purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
    ELSIF NEW.user_id IS NULL AND OLD.user_id IS NOT NULL
          AND to_jsonb(NEW) - 'user_id' = to_jsonb(OLD) - 'user_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'meldpunt_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER meldpunt_auditentry_append_only
    BEFORE UPDATE OR DELETE ON meldpunt_auditentry
    FOR EACH ROW EXECUTE FUNCTION meldpunt_auditentry_append_only();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS meldpunt_auditentry_append_only ON meldpunt_auditentry;
DROP FUNCTION IF EXISTS meldpunt_auditentry_append_only();
"""


def trigger_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER, params=None)


def trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("meldpunt", "0001_seed_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True,
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="at",
                    ),
                ),
                (
                    "username",
                    models.CharField(
                        blank=True,
                        help_text="Kept when the user is deleted; the name tried for a failed login; cli:<account> for command-line jobs.",
                        max_length=150,
                        verbose_name="username",
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("view", "Viewed"),
                            ("create", "Created"),
                            ("update", "Changed"),
                            ("delete", "Deleted"),
                            ("export", "Exported"),
                            ("import", "Imported"),
                            ("login", "Logged in"),
                            ("login_failed", "Failed login"),
                            ("logout", "Logged out"),
                            ("erase", "Erased"),
                        ],
                        max_length=20,
                        verbose_name="action",
                    ),
                ),
                (
                    "object_type",
                    models.CharField(blank=True, max_length=40, verbose_name="object type"),
                ),
                (
                    "object_ref",
                    models.CharField(blank=True, max_length=100, verbose_name="object reference"),
                ),
                (
                    "site_code",
                    models.CharField(
                        blank=True,
                        help_text="Site whose data this is.",
                        max_length=32,
                        verbose_name="site",
                    ),
                ),
                (
                    "changes",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="{field: [old, new]}; free-text fields are masked.",
                        verbose_name="changes",
                    ),
                ),
                ("detail", models.CharField(blank=True, max_length=500, verbose_name="detail")),
                (
                    "ip",
                    models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address"),
                ),
                (
                    "user_agent",
                    models.CharField(blank=True, max_length=200, verbose_name="browser"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(fields=["username", "-at"], name="auditentry_username_at"),
                    models.Index(fields=["object_ref", "-at"], name="auditentry_object_ref_at"),
                    models.Index(fields=["action", "-at"], name="auditentry_action_at"),
                    models.Index(fields=["site_code", "-at"], name="auditentry_site_at"),
                ],
            },
        ),
        migrations.RunPython(trigger_create, trigger_drop, elidable=False),
    ]
