"""`python -m staff bookings ...` as staff run it, against a real SQLite store."""

import csv
import os
import subprocess
import sys

from clinic.paths import REPO_ROOT
from storage.bookings import KIND_BOOKING, BookingStore, NewRequest


def _clinic(db_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "staff", "bookings", *args],
        cwd=REPO_ROOT,
        env={**os.environ, "CLINIC_DB_URL": db_url},
        capture_output=True,
        text=True,
    )


def test_list_mark_contacted_and_export(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'clinic.db'}"
    store = BookingStore(db_url)
    first = store.save(NewRequest(KIND_BOOKING, "Jane Doe", "+12125550123", "2026-12-01T14:00:00-05:00", "yes"), "a")
    second = store.save(NewRequest(KIND_BOOKING, "Bo Li", "+12125550124", "2026-12-02T10:00:00-05:00", "no"), "b")

    listing = _clinic(db_url, "list").stdout
    assert first in listing and second in listing
    assert "YES: provider to review" in listing and "Tue 01 Dec 14:00" in listing

    done = _clinic(db_url, "contacted", first.lower())
    assert done.returncode == 0 and f"{first} marked as contacted" in done.stdout
    assert first not in _clinic(db_url, "list").stdout
    assert first in _clinic(db_url, "list", "--all").stdout

    missing = _clinic(db_url, "contacted", "MN-NOPE22")
    assert missing.returncode == 1 and "no request with reference" in missing.stderr

    out = tmp_path / "requests.csv"
    assert _clinic(db_url, "export", str(out), "--all").returncode == 0
    rows = list(csv.DictReader(out.open()))
    assert {r["reference"]: r["status"] for r in rows} == {first: "contacted", second: "new"}


def test_an_unreachable_store_is_a_clear_error_without_the_password():
    result = _clinic("postgresql+psycopg2://staff:s3cret@127.0.0.1:1/clinic", "list")
    assert result.returncode == 1
    assert "bookings store unavailable" in result.stderr and "s3cret" not in result.stderr
