"""The contact tables carry only the indexes their queries use (migration 0008).

Every index costs each import and each save; the taxonomy codes are never searched
without a period or a site, so they have none of their own. external_id stays unique.
"""

import pytest
from django.db import IntegrityError, connection, transaction

from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def index_columns(table):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: tuple(info["columns"])
        for name, info in constraints.items()
        if info["index"] or info["unique"]
    }


def test_taxonomy_codes_have_no_index_of_their_own():
    indexed = {cols for cols in index_columns("contacts_contact").values() if len(cols) == 1}
    for column in ("theme_id", "contact_type_id", "caller_role_id", "region_id", "site_id"):
        assert (column,) not in indexed
    victim = {cols for cols in index_columns("contacts_victim").values() if len(cols) == 1}
    assert ("age_group_id",) not in victim
    assert ("contact_id",) in victim


def test_site_and_start_keep_their_composite_index():
    assert index_columns("contacts_contact")["contact_site_started"][0] == "site_id"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pattern-ops indexes are PostgreSQL's"
)
def test_external_id_has_one_unique_index_and_no_pattern_twin():
    names = index_columns("contacts_contact")
    assert names["contact_external_id_unique"] == ("external_id",)
    assert not [name for name in names if name.endswith("_like") and "external_id" in name]
    assert "callattempt_external_id_unique" in index_columns("contacts_callattempt")


def test_external_id_is_still_unique():
    ContactFactory(external_id="IMP-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(external_id="IMP-1")
