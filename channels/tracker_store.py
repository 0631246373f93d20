"""Rasa's SQL tracker store, with SQLite set up for a chat server instead of a notebook.

Rasa commits every message's events; with SQLite's default rollback journal each commit
waits for the disk twice, which here cost more than understanding the message. In WAL mode
with synchronous=NORMAL a commit waits for no disk flush, readers never block the writer,
and a crash loses at most the last few messages' events, never the database. PostgreSQL
and other databases are used exactly as Rasa's own store uses them.

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
