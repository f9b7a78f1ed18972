"""``core.prepared``: statements bound and planned on the server, their placeholders numbered
once per text."""

from __future__ import annotations

import pytest
from django.db import connection

from outsidein.core import prepared


def test_placeholders_are_numbered_in_order_and_a_doubled_percent_is_a_percent() -> None:
    assert prepared.numbered("SELECT %s, '%%' || %s WHERE a = %s") == (
        "SELECT $1, '%' || $2 WHERE a = $3"
    )
    assert prepared.numbered("SELECT 1") == "SELECT 1"


def test_named_placeholders_are_refused_with_the_placeholder_named() -> None:
    with pytest.raises(ValueError, match=r"%\(name\)s"):
        prepared.numbered("SELECT %(name)s")


@pytest.mark.django_db
def test_a_statement_with_many_parameters_runs_with_its_values_in_order() -> None:
    values = list(range(1, 61))  # more than psycopg's 50-parameter conversion cache
    sql = "SELECT " + " + ".join(["%s"] * len(values)) + ", '50%%'"
    for _ in range(2):  # the second run executes the statement prepared on PostgreSQL
        with prepared.cursor() as cursor:
            cursor.execute(sql, values)
            assert cursor.fetchone() == (sum(values), "50%")


@pytest.mark.django_db
def test_placeholders_follow_the_parameters_not_the_text() -> None:
    with prepared.cursor() as cursor:
        cursor.execute("SELECT CAST(%s AS TEXT) || CAST(%s AS TEXT)", ["a", "b"])
        assert cursor.fetchone() == ("ab",)
    assert connection.vendor in {"sqlite", "postgresql"}
