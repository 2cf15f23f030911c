"""Fewer indexes on contacts, victims and attempts: each costs every import and every save.

- The taxonomy codes of contacts and victims lose their two indexes each (btree and
  varchar_pattern_ops): every query on them is also bounded by period or site, and the
  figures scan whole periods. Only deleting a taxonomy entry (PROTECT) scans the table.
- The site of a contact keeps contact_site_started (site first) and loses its own index.
- external_id (contacts and attempts) stays unique, under a named constraint, without the
  pattern-ops twin that `unique=True` adds: it is only ever matched whole.

On PostgreSQL the indexes are dropped by name and the unique constraints renamed, so
nothing is rebuilt and no foreign key is checked again over a large table. SQLite (the
demo) only drops the plain indexes; its unique columns stay as they are.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Index names as Django's schema editor made them (migrations 0001-0007).
TAXONOMY_INDEXES = [
    ("contacts_contact", "awareness_source_id", "contacts_contact_awareness_source_id_ec3540e7"),
    ("contacts_contact", "caller_age_group_id", "contacts_contact_caller_age_group_id_6282522e"),
    ("contacts_contact", "caller_gender_id", "contacts_contact_caller_gender_id_8e978b4a"),
    ("contacts_contact", "caller_role_id", "contacts_contact_caller_role_id_16a58c70"),
    ("contacts_contact", "contact_type_id", "contacts_contact_contact_type_id_df4ea00a"),
    ("contacts_contact", "context_id", "contacts_contact_context_id_4e88538d"),
    ("contacts_contact", "referral_id", "contacts_contact_referral_id_5e0916a9"),
    ("contacts_contact", "region_id", "contacts_contact_region_id_d035759c"),
    ("contacts_contact", "theme_id", "contacts_contact_theme_id_ffcac9d5"),
    ("contacts_victim", "age_group_id", "contacts_victim_age_group_id_d8ee0c8f"),
    ("contacts_victim", "gender_id", "contacts_victim_gender_id_738227c4"),
    ("contacts_victim", "relation_id", "contacts_victim_relation_id_6b44a955"),
]
SITE_INDEX = ("contacts_contact", "site_id", "contacts_contact_site_id_dce00307")
# (table, column, Django's unique constraint, ours, Django's pattern-ops index)
EXTERNAL_IDS = [
    (
        "contacts_contact",
        "external_id",
        "contacts_contact_external_id_key",
        "contact_external_id_unique",
        "contacts_contact_external_id_47c68d86_like",
    ),
    (
        "contacts_callattempt",
        "external_id",
        "contacts_callattempt_external_id_key",
        "callattempt_external_id_unique",
        "contacts_callattempt_external_id_eafd8846_like",
    ),
]


def drop_indexes(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    q = schema_editor.quote_name
    for _table, _column, name in [*TAXONOMY_INDEXES, SITE_INDEX]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {q(name)}")
        if postgres and name != SITE_INDEX[2]:
            schema_editor.execute(f"DROP INDEX IF EXISTS {q(name + '_like')}")
    if postgres:
        for table, _column, django_name, ours, like in EXTERNAL_IDS:
            schema_editor.execute(f"DROP INDEX IF EXISTS {q(like)}")
            schema_editor.execute(
                f"ALTER TABLE {q(table)} RENAME CONSTRAINT {q(django_name)} TO {q(ours)}"
            )


def create_indexes(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    q = schema_editor.quote_name
    for table, column, name in [*TAXONOMY_INDEXES, SITE_INDEX]:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {q(name)} ON {q(table)} ({q(column)})")
        if postgres and name != SITE_INDEX[2]:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {q(name + '_like')} "
                f"ON {q(table)} ({q(column)} varchar_pattern_ops)"
            )
    if postgres:
        for table, column, django_name, ours, like in EXTERNAL_IDS:
            schema_editor.execute(
                f"ALTER TABLE {q(table)} RENAME CONSTRAINT {q(ours)} TO {q(django_name)}"
            )
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {q(like)} ON {q(table)} ({q(column)} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_case_work"),
        ("staffing", "0008_shift_exchange"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="callattempt",
                    name="external_id",
                    field=models.CharField(
                        help_text="Id in the phone switch or chat platform; re-imports match on it.",
                        max_length=100,
                        verbose_name="external id",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="awareness_source",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contacts.awarenesssource",
                        verbose_name="heard of the line through",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="caller_age_group",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contacts.calleragegroup",
                        verbose_name="caller age group",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="caller_gender",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contacts.gender",
                        verbose_name="caller gender",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="caller_role",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contacts.callerrole",
                        verbose_name="caller role",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="contact_type",
                    field=models.ForeignKey(
                        db_default="unspecified",
                        db_index=False,
                        default="unspecified",
                        help_text="Contacts registered before contact types existed, and imported rows without one, have the type “type not recorded” (counted as counselling).",
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contacts.contacttype",
                        verbose_name="contact type",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="context",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contacts.violencecontext",
                        verbose_name="context",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="external_id",
                    field=models.CharField(
                        blank=True,
                        help_text="Id in the source system of an import; re-imports match on it.",
                        max_length=100,
                        null=True,
                        verbose_name="external id",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="referral",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contacts.referral",
                        verbose_name="referred to",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="region",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contacts.region",
                        verbose_name="region",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="site",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="contacts",
                        to="staffing.site",
                        verbose_name="site",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="theme",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contacts.theme",
                        verbose_name="main theme",
                    ),
                ),
                migrations.AlterField(
                    model_name="victim",
                    name="age_group",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contacts.victimagegroup",
                        verbose_name="age group",
                    ),
                ),
                migrations.AlterField(
                    model_name="victim",
                    name="gender",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contacts.gender",
                        verbose_name="gender",
                    ),
                ),
                migrations.AlterField(
                    model_name="victim",
                    name="relation",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contacts.victimrelation",
                        verbose_name="relation to the caller",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="callattempt",
                    constraint=models.UniqueConstraint(
                        fields=("external_id",), name="callattempt_external_id_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="contact",
                    constraint=models.UniqueConstraint(
                        fields=("external_id",), name="contact_external_id_unique"
                    ),
                ),
            ],
        ),
    ]
