"""/ping/: the minimal signed-in page the load test compares every page with."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_a_signed_in_user_gets_no_content_with_only_the_queries_of_signing_in(
    client_for, responder
):
    client = client_for(responder)
    with CaptureQueriesContext(connection) as queries:
        reply = client.get("/ping/")
    assert reply.status_code == 204
    # session, user, second-factor device, the user's roles: nothing of its own
    assert len(queries) <= 5, [q["sql"] for q in queries]


def test_anonymous_is_sent_to_login_and_a_user_without_a_role_is_refused(
    client, client_for, outsider
):
    reply = client.get("/ping/")
    assert reply.status_code == 302 and "/login/" in reply["Location"]
    assert client_for(outsider).get("/ping/").status_code == 403


def test_only_get(client_for, responder):
    assert client_for(responder).post("/ping/").status_code == 405
