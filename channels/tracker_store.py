"""Rasa's SQL tracker store, reading its database from one place, with SQLite set up for a
server that staff read while it runs.

Where: `TRACKER_DB_URL` (any SQLAlchemy URL, PostgreSQL included) or the default SQLite
file under var/, both from `clinic.paths.tracker_db_url`, the same function the staff
commands read, so they always look where the server writes. Rasa 3.6 takes no URL for its
SQL store, so the URL is split into Rasa's fields here. A `url:` in an endpoints file is
honoured too (Rasa hands a custom store's `url` over as `host`), and so are Rasa's own
fields (`dialect`, `db`, ...), for anyone who writes them out.

In WAL mode the staff commands (`python -m staff review`, `conversations`) read the
conversations while the Rasa server writes, without either waiting for the other, and a
busy timeout makes a rare clash wait instead of failing. PostgreSQL and other databases are
used exactly as Rasa's own store uses them. A read or write the database refuses is noted
for the channel (channels/store_outage.py), which then gives the visitor the clinic phone.

endpoints.yml:   tracker_store:
                   type: channels.tracker_store.ClinicSQLTrackerStore
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from channels import store_outage
from clinic.paths import tracker_db_url

_RASA_FIELDS = ("dialect", "host", "port", "db", "username", "password", "query")


def rasa_fields(db_url: str) -> Dict[str, Any]:
    """Rasa's SQL tracker store arguments for an SQLAlchemy URL."""
    url = make_url(db_url)
    fields: Dict[str, Any] = {
        "dialect": url.drivername,
        "host": url.host,
        "port": url.port,
        "db": url.database,
        "username": url.username,
        "password": url.password,
        "query": dict(url.query) or None,
    }
    return {key: value for key, value in fields.items() if value is not None}


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")  # the staff review command may be reading
    cursor.close()


class ClinicSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Optional[Domain] = None, host: Optional[str] = None, **kwargs: Any) -> None:
        if host and "://" in host:
            fields = rasa_fields(host)  # `url:` in the endpoints file
        elif host or any(key in kwargs for key in _RASA_FIELDS):
            fields = {"host": host} if host else {}  # Rasa's own fields, written out
        else:
            fields = rasa_fields(tracker_db_url())
        super().__init__(domain=domain, **{**kwargs, **fields})
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # connections opened before the listener reconnect with it

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        try:
            return await super().retrieve(sender_id)
        except SQLAlchemyError:
            store_outage.note_failure()  # Rasa's fail-safe wrapper logs it and goes on
            raise

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await super().save(tracker)
        except SQLAlchemyError:
            store_outage.note_failure()
            raise
