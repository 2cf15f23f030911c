"""PostgreSQL only: the database refuses two overlapping assignments of one person.

The constraint is added with raw SQL here and not declared on the model, because SQLite
(the demo database) has no exclusion constraints and a model-level ExclusionConstraint would
make `makemigrations --check` and SQLite migrations diverge. On every database the same rule
is checked by staffing.services.assignments.assignment_create under a row lock; this is the
backstop against writes that bypass the service.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE staffing_assignment ADD CONSTRAINT assignment_no_overlap_per_member
    EXCLUDE USING gist (staff_member_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&);
"""
DROP = "ALTER TABLE staffing_assignment DROP CONSTRAINT IF EXISTS assignment_no_overlap_per_member;"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("staffing", "0004_opening_hours_seed")]
    operations = [migrations.RunPython(add_constraint, drop_constraint)]
