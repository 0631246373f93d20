"""The bookings store's contract, against a real SQLite file and a real PostgreSQL server."""

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest

from storage.bookings import (
    KIND_BOOKING,
    KIND_CALLBACK,
    STATUS_CONTACTED,
    BookingStore,
    NewRequest,
    StoreError,
)
from tests.support.postgres import temporary_postgres

REQUEST = NewRequest(
    kind=KIND_BOOKING,
    name="Jane Doe",
    phone="+12125550123",
    preferred_time="2026-12-01T14:00:00-05:00",
    screening="no",
)


@pytest.fixture(scope="module")
def postgres_url():
    with temporary_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        yield BookingStore(f"sqlite:///{tmp_path / 'clinic.db'}")
    else:
        store = BookingStore(request.getfixturevalue("postgres_url"))
        with store.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM booking_requests")
        yield store


def test_a_saved_request_is_listed_with_every_field(store):
    reference = store.save(REQUEST, "visitor-1:run-1")
    [stored] = store.list_requests()
    assert stored.reference == reference and reference.startswith("MN-")
    assert (stored.name, stored.phone, stored.preferred_time, stored.screening) == (
        "Jane Doe",
        "+12125550123",
        "2026-12-01T14:00:00-05:00",
        "no",
    )
    assert stored.status == "new" and stored.kind == KIND_BOOKING
    assert stored.needs_provider_review is False


def test_saving_twice_with_the_same_key_keeps_one_row(store):
    first = store.save(REQUEST, "visitor-1:run-1")
    second = store.save(REQUEST, "visitor-1:run-1")
    assert first == second
    assert len(store.list_requests()) == 1


def test_concurrent_duplicates_keep_one_row(store):
    with ThreadPoolExecutor(max_workers=4) as pool:
        references = set(pool.map(lambda _: store.save(REQUEST, "visitor-2:run-1"), range(8)))
    assert len(references) == 1
    assert len(store.list_requests()) == 1


def test_another_form_run_is_another_request(store):
    store.save(REQUEST, "visitor-1:run-1")
    store.save(REQUEST, "visitor-1:run-2")
    assert len(store.list_requests()) == 2


def test_screening_yes_is_flagged_for_the_provider(store):
    store.save(NewRequest(KIND_BOOKING, "Ann", "+12125550123", "2026-12-01T14:00:00-05:00", "yes"), "k")
    assert store.list_requests()[0].needs_provider_review is True


def test_mark_contacted_and_filter_by_status(store):
    reference = store.save(REQUEST, "a")
    store.save(NewRequest(KIND_CALLBACK, "Bo", "+12125550124"), "b")
    assert store.mark_contacted(reference.lower()) is True
    assert store.mark_contacted("MN-NOPE99") is False
    assert [r.reference for r in store.list_requests(STATUS_CONTACTED)] == [reference]
    assert [r.name for r in store.list_requests("new")] == ["Bo"]


def test_csv_export_has_a_header_and_neutralises_formulas(store):
    store.save(NewRequest(KIND_BOOKING, '=HYPERLINK("x")', "+12125550123", None, "no"), "c")
    out = io.StringIO()
    assert store.export_csv(out) == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["name"] == '\'=HYPERLINK("x")'
    assert rows[0]["phone"] == "+12125550123"


def test_unreachable_database_is_a_store_error(tmp_path):
    with pytest.raises(StoreError):
        BookingStore("postgresql+psycopg2://nobody@127.0.0.1:1/none")


def test_requests_received_in_a_period_are_compared_in_utc(tmp_path):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import update as sql_update
    from zoneinfo import ZoneInfo

    from storage.bookings import booking_requests

    store = BookingStore(f"sqlite:///{tmp_path / 'c.db'}")
    store.save(NewRequest(kind="booking", name="A", phone="+12125550143"), "k1")
    # received at 02:00 UTC on 1 Nov: 22:00 on 31 Oct in New York
    with store.engine.begin() as connection:
        connection.execute(
            sql_update(booking_requests).values(created_at=datetime(2026, 11, 1, 2, tzinfo=timezone.utc))
        )
    ny = ZoneInfo("America/New_York")
    first_of_november = datetime(2026, 11, 1, tzinfo=ny)
    assert store.created_between(first_of_november, first_of_november + timedelta(days=1)) == []
    [moment] = store.created_between(first_of_november - timedelta(days=1), first_of_november)
    assert moment == datetime(2026, 11, 1, 2, tzinfo=timezone.utc)
