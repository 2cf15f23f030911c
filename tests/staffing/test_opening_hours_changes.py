from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meldpunt.channels import Channel
from staffing.models import OpeningHours
from staffing.services.opening_hours import (
    OpeningSchedule,
    opening_hours_create,
    opening_hours_end,
)

from .test_opening_hours import brussels

TODAY = date(2026, 12, 1)


def saturday_chat(**overrides):
    fields = {
        "channel": Channel.CHAT,
        "weekdays": [5],
        "start_time": time(10),
        "end_time": time(14),
        "valid_from": date(2027, 1, 1),
        "label": "Zaterdagchat",
        "is_trial": True,
    }
    return fields | overrides


def test_a_new_slot_opens_from_its_first_day(db):
    opening_hours_create(today=TODAY, **saturday_chat())
    schedule = OpeningSchedule.load()
    assert schedule.is_open(Channel.CHAT, brussels(2027, 1, 2, 10, 0))
    assert not schedule.is_open(Channel.CHAT, brussels(2026, 12, 26, 10, 0))


def test_slots_do_not_change_the_past(db):
    with pytest.raises(ValidationError, match="past"):
        opening_hours_create(today=TODAY, **saturday_chat(valid_from=date(2026, 11, 1)))
    phone = OpeningHours.objects.get(channel=Channel.PHONE, valid_to__isnull=True)
    with pytest.raises(ValidationError, match="past"):
        opening_hours_end(slot=phone, last_day=date(2026, 11, 1), today=TODAY)


def test_overlapping_slots_are_refused(db):
    # Phone Mon–Fri 09–17 is in force with no end.
    with pytest.raises(ValidationError, match="overlaps"):
        opening_hours_create(
            today=TODAY,
            **saturday_chat(
                channel=Channel.PHONE, weekdays=[0], start_time=time(16), end_time=time(18)
            ),
        )
    # Ending the old one first makes room for new hours.
    phone = OpeningHours.objects.get(channel=Channel.PHONE, valid_to__isnull=True)
    opening_hours_end(slot=phone, last_day=date(2026, 12, 31), today=TODAY)
    opening_hours_create(
        today=TODAY,
        **saturday_chat(
            channel=Channel.PHONE,
            weekdays=[0, 1, 2, 3, 4],
            start_time=time(8),
            end_time=time(18),
            label="",
            is_trial=False,
        ),
    )
    schedule = OpeningSchedule.load()
    assert not schedule.is_open(Channel.PHONE, brussels(2026, 12, 31, 8, 30))
    assert schedule.is_open(Channel.PHONE, brussels(2027, 1, 4, 8, 30))
    assert schedule.is_open(Channel.PHONE, brussels(2026, 12, 31, 16, 30))


def test_a_slot_that_never_started_is_removed_when_ended(db):
    slot = opening_hours_create(today=TODAY, **saturday_chat())
    opening_hours_end(slot=slot, last_day=TODAY, today=TODAY)
    assert not OpeningHours.objects.filter(pk=slot.pk).exists()


def test_email_has_no_opening_hours(db):
    with pytest.raises(ValidationError):
        opening_hours_create(today=TODAY, **saturday_chat(channel=Channel.EMAIL))


def test_page_is_read_only_below_coordinator(client_for, site_coordinator, responder, outsider):
    assert client_for(outsider).get(reverse("staffing:opening_hours")).status_code == 403
    client = client_for(site_coordinator)
    response = client.get(reverse("staffing:opening_hours"))
    assert response.status_code == 200
    assert "Proef donderdagavond" in response.content.decode()
    assert client.post(reverse("staffing:opening_hours"), {}).status_code == 403
    slot = OpeningHours.objects.first()
    url = reverse("staffing:opening_hours_end", args=[slot.pk])
    assert client_for(responder).post(url, {"last_day": "2030-01-01"}).status_code == 403


def test_coordinator_adds_and_ends_slots(client_for, coordinator):
    client = client_for(coordinator)
    data = {
        "channel": "chat",
        "weekdays": ["5"],
        "start_time": "10:00",
        "end_time": "14:00",
        "valid_from": "2099-01-03",
        "valid_to": "",
        "label": "Zaterdag",
    }
    response = client.post(reverse("staffing:opening_hours"), data)
    assert response.status_code == 302
    slot = OpeningHours.objects.get(label="Zaterdag")
    assert slot.weekdays == [5]
    client.post(reverse("staffing:opening_hours_end", args=[slot.pk]), {"last_day": "2099-06-30"})
    slot.refresh_from_db()
    assert slot.valid_to == date(2099, 6, 30)
