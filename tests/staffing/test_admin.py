import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from meldpunt.channels import Channel
from staffing.models import Assignment

from .factories import ConsultationFactory, RosterMemberFactory, ShiftFactory

MODELS = [m._meta.model_name for m in apps.get_app_config("staffing").get_models()]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_add_pages_load(admin_client, site, model):
    ShiftFactory(site=site)
    ConsultationFactory(site=site)
    assert admin_client.get(reverse(f"admin:staffing_{model}_changelist")).status_code == 200
    # History written by the services (released assignments, publications, offers) cannot
    # be added by hand.
    model_admin = admin.site._registry[apps.get_model("staffing", model)]
    expected = 200 if model_admin.has_add_permission(admin_client.request().wsgi_request) else 403
    assert admin_client.get(reverse(f"admin:staffing_{model}_add")).status_code == expected


def test_admin_assignments_go_through_the_rules(admin_client, site):
    shift = ShiftFactory(site=site)
    chat_only = RosterMemberFactory(site=site, channels=[Channel.CHAT])
    response = admin_client.post(
        reverse("admin:staffing_assignment_add"),
        {"shift": shift.pk, "staff_member": chat_only.pk},
        follow=True,
    )
    assert "does not serve the channel" in response.content.decode()
    assert not Assignment.objects.exists()
    member = RosterMemberFactory(site=site)
    admin_client.post(
        reverse("admin:staffing_assignment_add"), {"shift": shift.pk, "staff_member": member.pk}
    )
    assignment = Assignment.objects.get()
    assert assignment.starts_at == shift.starts_at
