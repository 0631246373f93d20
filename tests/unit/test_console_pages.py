"""What the console's booking page shows for one stored request."""

from datetime import datetime, timezone

from clinic.settings import load_settings
from staff.console import describe_request
from storage.bookings import StoredRequest


def _stored(**changes):
    fields = dict(
        reference="MN-4F7K2Q",
        kind="booking",
        created_at=datetime(2026, 11, 26, 15, 5),
        name="Harriet Vance",
        phone="+12125550143",
        preferred_time="2026-12-01T19:00:00+00:00",
        screening="yes",
        needs_provider_review=True,
        status="new",
        contacted_at=None,
    )
    fields.update(changes)
    return StoredRequest(**{k: fields[k] for k in StoredRequest.__dataclass_fields__})


def test_times_are_shown_in_the_clinics_zone_even_when_the_store_gives_naive_utc():
    shown = describe_request(_stored(), load_settings())  # the clinic is in New York
    assert shown["received"] == "26 Nov 10:05"  # 15:05 UTC
    assert shown["when"] == "Tuesday 1 December, 14:00"  # 19:00 UTC
    aware = describe_request(_stored(created_at=datetime(2026, 11, 26, 15, 5, tzinfo=timezone.utc)), load_settings())
    assert aware["received"] == "26 Nov 10:05"


def test_phones_flags_and_call_backs():
    shown = describe_request(_stored(), load_settings())
    assert (shown["phone"], shown["phone_shown"]) == ("+12125550143", "(212) 555-0143")
    assert shown["review"] and not shown["callback"] and not shown["contacted"]
    abroad = describe_request(_stored(phone="+442079460958", kind="callback", preferred_time=None), load_settings())
    assert abroad["phone_shown"] == "+44 20 7946 0958" and abroad["callback"] and abroad["when"] == ""
