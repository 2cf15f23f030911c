"""The load users log in through the real two steps: password, then a recovery code."""

import pytest

from loadtest.accounts import PASSWORD, recovery_code
from loadtest.users import load_users_ensure

pytestmark = pytest.mark.django_db


def test_a_load_user_logs_in_with_a_recovery_code_and_reaches_the_pages(client, default_site):
    load_users_ensure()
    load_users_ensure()  # idempotent: fresh codes, the same users
    reply = client.post("/login/", {"username": "load-responder-03", "password": PASSWORD})
    assert reply.status_code == 302
    reply = client.get("/ping/")  # not yet: the second step first
    assert reply.status_code == 302 and "/account/two-factor/verify/" in reply["Location"]
    reply = client.post(reply["Location"], {"token": recovery_code("load-responder-03", 7)})
    assert reply.status_code == 302
    assert client.get("/ping/").status_code == 204
    assert client.get("/contacts/new/").status_code == 200
