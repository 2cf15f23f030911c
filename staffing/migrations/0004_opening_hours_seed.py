"""The opening hours of DESIGN.md (1712 around 2019), so that a fresh `migrate` has them."""

import datetime

from django.db import migrations

MON_FRI = [0, 1, 2, 3, 4]
SLOTS = [
    # channel, weekdays, start, end, valid_from, valid_to, label, is_trial
    ("phone", MON_FRI, (9, 0), (17, 0), (2012, 3, 1), None, "", False),
    ("phone", [3], (17, 0), (19, 0), (2019, 1, 1), (2019, 6, 30), "Proef donderdagavond", True),
    ("chat", MON_FRI, (17, 0), (19, 0), (2019, 1, 1), (2021, 8, 31), "", False),
    ("chat", [2], (13, 0), (16, 0), (2019, 7, 1), (2021, 8, 31), "Extra chatmoment", False),
    ("chat", MON_FRI, (17, 0), (22, 0), (2021, 9, 1), None, "", False),
]


def seed_opening_hours(apps, schema_editor):
    OpeningHours = apps.get_model("staffing", "OpeningHours")
    if OpeningHours.objects.exists():
        return
    for channel, days, start, end, valid_from, valid_to, label, is_trial in SLOTS:
        OpeningHours.objects.create(
            channel=channel,
            weekdays=days,
            start_time=datetime.time(*start),
            end_time=datetime.time(*end),
            valid_from=datetime.date(*valid_from),
            valid_to=datetime.date(*valid_to) if valid_to else None,
            label=label,
            is_trial=is_trial,
        )


class Migration(migrations.Migration):
    dependencies = [("staffing", "0003_staff_profiles_opening_hours_roster")]
    operations = [migrations.RunPython(seed_opening_hours, migrations.RunPython.noop)]
