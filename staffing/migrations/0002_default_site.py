from django.db import migrations


def create_default_site(apps, schema_editor):
    Site = apps.get_model("staffing", "Site")
    if not Site.objects.filter(is_default=True).exists():
        Site.objects.get_or_create(
            code="centraal", defaults={"name": "1712 Centraal", "is_default": True}
        )


class Migration(migrations.Migration):
    dependencies = [("staffing", "0001_initial")]
    operations = [migrations.RunPython(create_default_site, migrations.RunPython.noop)]
