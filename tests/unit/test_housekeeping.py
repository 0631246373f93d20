"""The supervisors' daily purge: runs at start and then once an hour at most, in a thread."""

from sqlalchemy import create_engine

from ops.housekeeping import DailyPurge
from storage.bookings import BookingStore


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_purge_runs_at_start_then_waits_an_hour_and_says_what_went(tmp_path, monkeypatch):
    tracker, clinic = f"sqlite:///{tmp_path / 'tracker.db'}", f"sqlite:///{tmp_path / 'clinic.db'}"
    BookingStore(clinic)
    create_engine(tracker).dispose()
    said, clock = [], Clock()
    purge = DailyPurge(tracker, clinic, said.append, clock=clock)
    purge.tick()
    purge.join()
    assert len(said) == 1 and said[0].startswith("daily purge (clinic.yml retention): deleted 0 conversation(s)")
    clock.now += 60  # within the hour: not even asked
    purge.tick()
    purge.join()
    assert len(said) == 1
    clock.now += 3600  # asked again; the database says a day has not passed: nothing said
    purge.tick()
    purge.join()
    assert len(said) == 1


def test_a_failing_purge_is_reported_and_never_raises(tmp_path):
    said = []
    purge = DailyPurge("sqlite:////nonexistent/dir/t.db", "sqlite:////nonexistent/dir/c.db", said.append)
    purge.tick()
    purge.join()
    assert said and "daily purge failed" in said[0]
