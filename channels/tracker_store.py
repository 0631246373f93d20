"""Rasa's SQL tracker store, with SQLite set up for a server that staff read while it runs.

In WAL mode the staff commands (`python -m clinic review`, `conversations`) read the
conversations while the Rasa server writes, without either waiting for the other, and a
busy timeout makes a rare clash wait instead of failing. (Measured with the benchmark's
load code on this machine's disk, WAL with synchronous=NORMAL made no difference to
latency or throughput; it is here for the concurrent reads.) PostgreSQL and other
databases are used exactly as Rasa's own store uses them.

endpoints.yml:   tracker_store:
                   type: channels.tracker_store.ClinicSQLTrackerStore
                   dialect: sqlite
                   db: var/tracker.db
"""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")  # the staff review command may be reading
    cursor.close()


class ClinicSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Optional[Domain] = None, host: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(domain=domain, host=host, **kwargs)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # connections opened before the listener reconnect with it
