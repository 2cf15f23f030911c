"""The beat heartbeat (meldpunt.Heartbeat, read by /health/ready); and TRUNCATE of the audit
trail is refused on PostgreSQL, as UPDATE and DELETE are
(0002_auditentry): row triggers do not fire on TRUNCATE, a statement trigger does.

The test suite empties every table between transactional tests with one TRUNCATE; its
connections set `meldpunt.audit_truncate` (tests/conftest.py). Nothing in the application
sets it; whoever can set it can also drop the trigger, so it guards against mistakes and
the application's own connections, like the purge setting does.
"""

from django.db import migrations, models

CREATE_TRIGGER = """
CREATE FUNCTION meldpunt_auditentry_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('meldpunt.audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'meldpunt_auditentry is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER meldpunt_auditentry_no_truncate
    BEFORE TRUNCATE ON meldpunt_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION meldpunt_auditentry_no_truncate();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS meldpunt_auditentry_no_truncate ON meldpunt_auditentry;
DROP FUNCTION IF EXISTS meldpunt_auditentry_no_truncate();
"""


def trigger_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER, params=None)


def trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [("meldpunt", "0002_auditentry")]

    operations = [
        migrations.RunPython(trigger_create, trigger_drop),
        migrations.CreateModel(
            name="Heartbeat",
            fields=[
                (
                    "name",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="name"
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="at")),
            ],
            options={
                "verbose_name": "heartbeat",
                "verbose_name_plural": "heartbeats",
                "ordering": ["name"],
            },
        ),
    ]
