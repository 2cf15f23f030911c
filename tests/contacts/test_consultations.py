"""Cases brought to the team case consultation, from the case page."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts.models import ConsultationItem
from contacts.services.consultations import consultation_item_save
from tests.factories import CaseFactory, staff_user
from tests.staffing.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


def _consultation(site, days=3):
    starts = timezone.now() + timedelta(days=days)
    return ConsultationFactory(site=site, starts_at=starts, ends_at=starts + timedelta(hours=1))


def test_save_adds_once_and_updates_decision(site, responder):
    case, consultation = CaseFactory(site=site), _consultation(site)
    consultation_item_save(case=case, consultation=consultation, user=responder)
    item = consultation_item_save(
        case=case, consultation=consultation, decision="Melding bij VK", user=responder
    )
    assert ConsultationItem.objects.get() == item
    assert item.decision == "Melding bij VK"


def test_save_refuses_consultation_of_other_site(site, other_site, responder):
    with pytest.raises(ValidationError):
        consultation_item_save(
            case=CaseFactory(site=site), consultation=_consultation(other_site), user=responder
        )
    assert not ConsultationItem.objects.exists()


def test_case_page_puts_case_on_consultation(client_for, site, responder):
    case, consultation = CaseFactory(site=site), _consultation(site)
    client = client_for(responder)
    page = client.get(reverse("contacts:case_detail", args=[case.reference]))
    assert f'value="{consultation.pk}"' in page.content.decode()

    url = reverse("contacts:case_consultation_add", args=[case.reference])
    response = client.post(url, {"consultation": consultation.pk, "decision": "Opvolgen"})
    assert response.status_code == 302
    page = client.get(reverse("contacts:case_detail", args=[case.reference]))
    assert f'data-consultation-item="{consultation.pk}"' in page.content.decode()
    assert "Opvolgen" in page.content.decode()


def test_invalid_choice_rerenders_with_error_and_saves_nothing(
    client_for, site, other_site, responder
):
    case, elsewhere = CaseFactory(site=site), _consultation(other_site)
    url = reverse("contacts:case_consultation_add", args=[case.reference])
    response = client_for(responder).post(url, {"consultation": elsewhere.pk})
    assert response.status_code == 400
    assert response.context["consultation_form"].errors["consultation"]
    assert not ConsultationItem.objects.exists()


def test_other_site_cannot_add(client_for, site, other_responder):
    case, consultation = CaseFactory(site=site), _consultation(site)
    url = reverse("contacts:case_consultation_add", args=[case.reference])
    assert (
        client_for(other_responder).post(url, {"consultation": consultation.pk}).status_code == 404
    )


def test_coordinator_of_other_site_sees_dates_not_decisions(
    client_for, site, other_site, responder
):

    case, consultation = CaseFactory(site=site), _consultation(site)
    consultation_item_save(case=case, consultation=consultation, decision="Geheim", user=responder)
    flemish = staff_user("coordinator", other_site)
    client = client_for(flemish)
    page = client.get(reverse("contacts:case_detail", args=[case.reference])).content.decode()
    assert f'data-consultation-item="{consultation.pk}"' in page
    assert "Geheim" not in page
    url = reverse("contacts:case_consultation_add", args=[case.reference])
    assert client.post(url, {"consultation": consultation.pk}).status_code == 403
