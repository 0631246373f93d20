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

import asyncio
import contextlib
import functools
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Type

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from channels import store_outage
from clinic.paths import tracker_db_url

# TRACKER_WINDOW_EVENTS: how many of a session's latest events a loaded tracker holds (0: all).
WINDOW_ENV_VAR = "TRACKER_WINDOW_EVENTS"
DEFAULT_WINDOW_EVENTS = 60  # 6-12 turns; the policies look back 4
_LAST_LOADED = "_clinic_last_stored_event"  # on a windowed tracker: the newest event stored
# Events that change a tracker's state beyond the latest turn (rasa.shared.core.events).
STATE_EVENT_TYPES = (
    "session_started",
    "slot",
    "reset_slots",
    "restart",
    "active_loop",
    "form",
    "loop_interrupted",
    "form_validation",
    "pause",
    "resume",
    "followup",
)


def tracker_window() -> int:
    value = os.environ.get(WINDOW_ENV_VAR, "")
    return int(value) if value.strip().isdigit() else DEFAULT_WINDOW_EVENTS


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
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError:  # a read-only disk: the file is in WAL mode already
        pass
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")  # the staff review command may be reading
    cursor.close()


# TRACKER_DB_IDLE_SECONDS: after this long with no message, an SQLite store's open connections
# are closed. The last close writes the WAL into the database file, so in a quiet spell the
# file alone is a whole copy (for a backup) and the server holds no file on the disk open.
IDLE_ENV_VAR = "TRACKER_DB_IDLE_SECONDS"
DEFAULT_IDLE_SECONDS = 300.0


def idle_seconds() -> float:
    try:
        return max(0.1, float(os.environ.get(IDLE_ENV_VAR, "") or DEFAULT_IDLE_SECONDS))
    except ValueError:
        return DEFAULT_IDLE_SECONDS


def _sqlite_pool(url: Any) -> Dict[str, Any]:
    """For an SQLite file, connections kept open between messages, as SQLAlchemy 2.0 does by
    default. SQLAlchemy 1.4 opens one for each read and each write (NullPool), and closing
    the last connection to a WAL database writes the WAL back and deletes it: about 2 ms
    a read and a write, 4-6 ms of a message's 25 here. A connection is used by one thread at a
    time (the pool hands it out), so sqlite3's same-thread check is off."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return {}
    return {"poolclass": sa.pool.QueuePool, "connect_args": {"check_same_thread": False}}


@functools.lru_cache(maxsize=None)
def _event_class(type_name: str) -> Optional[Type[Event]]:
    event_class: Optional[Type[Event]] = Event.resolve_by_type(type_name)
    return event_class


def deserialise(dumps: List[Dict[str, Any]]) -> List[Event]:
    """Rasa's `deserialise_events`, with each event type looked up once per server: Rasa
    walks every Event subclass for every stored event (about 6% of a message's time here)."""
    events = []
    for dump in dumps:
        type_name = dump.get("event")
        event_class = _event_class(type_name) if type_name else None
        event = event_class._from_parameters(dump) if event_class else None
        if event is not None:
            events.append(event)
    return events


class ClinicSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Optional[Domain] = None, host: Optional[str] = None, **kwargs: Any) -> None:
        if host and "://" in host:
            fields = rasa_fields(host)  # `url:` in the endpoints file
        elif host or any(key in kwargs for key in _RASA_FIELDS):
            fields = {"host": host} if host else {}  # Rasa's own fields, written out
        else:
            fields = rasa_fields(tracker_db_url())
        super().__init__(domain=domain, **{**kwargs, **fields})
        # Rasa's engine, with each pooled connection checked before use: after the database
        # restarts, the first message is answered instead of failing on a dropped connection.
        rasa_engine: sa.engine.Engine = self.engine  # type: ignore[has-type]  # untyped in Rasa
        url = rasa_engine.url
        rasa_engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url), **_sqlite_pool(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._idle_release: Optional[asyncio.TimerHandle] = None
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # connections opened before the listener reconnect with it

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Any]:
        try:
            with super().session_scope() as session:
                yield session
        finally:
            self._release_when_idle()

    def _release_when_idle(self) -> None:
        """Close the pooled SQLite connections after a quiet spell (IDLE_ENV_VAR), on the
        server's event loop, where every read and write runs: none is open at that moment."""
        if self.engine.dialect.name != "sqlite":
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a command outside a server: its process ends soon anyway
            return
        if self._idle_release is not None:
            self._idle_release.cancel()
        self._idle_release = loop.call_later(idle_seconds(), self.engine.dispose)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The tracker of the current session: its last `window` events, and the state events before.

        The policies featurise `tracker.events` on each prediction and Rasa loads and replays
        the whole session first, so a visitor's 300th message cost about 6 times their 10th.
        The policies look back 4 turns; the window keeps several times that. Before the
        window only the events that set state (slots, the active form, a pause) are read, so
        the tracker's state is the full session's, and an action still finds the event that
        started its form (the booking's idempotency key). Staff transcripts read the database, in full.
        (A rewind event would replay only the window; this assistant emits none.)"""
        window = tracker_window()
        try:
            with self.session_scope() as session:
                rows = self._windowed_rows(session, sender_id, window)
                events = [json.loads(row.data) for row in rows]
        except SQLAlchemyError:
            read_only = self._read_only_events(sender_id, window)
            if read_only is None:
                store_outage.note_failure()  # Rasa's fail-safe wrapper logs it and goes on
                raise
            events = read_only
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_events(sender_id, deserialise(events), self.domain.slots)
        if window:
            # Where saving starts (the tracker holds fewer events than are stored, so Rasa's
            # count of stored events can't say); an attribute, so it goes where the tracker goes.
            setattr(tracker, _LAST_LOADED, tracker.events[-1])
        return tracker

    def _read_only_events(self, sender_id: str, window: int) -> Optional[List[Dict[str, Any]]]:
        """The conversation read from an SQLite file on a full or read-only disk.

        A WAL database can't be opened normally there (its -shm file can't be made), so it is
        opened read-only: normally if a -wal file holds recent writes, else as immutable
        (everything is in the main file then). The visitor's FAQ questions are answered from
        their real conversation; saving fails and is noted. None: it can't be read either."""
        if self.engine.dialect.name != "sqlite" or not self.engine.url.database:
            return None
        path = Path(self.engine.url.database).resolve()
        if not path.is_file():
            return None
        wal = path.with_name(path.name + "-wal")
        modes = ["mode=ro", "mode=ro&immutable=1"] if wal.exists() and wal.stat().st_size else ["mode=ro&immutable=1"]
        for mode in modes:
            engine = sa.create_engine(f"sqlite:///file:{path}?{mode}&uri=true", poolclass=sa.pool.NullPool)
            try:
                with sa.orm.Session(bind=engine) as session:
                    return [json.loads(row.data) for row in self._windowed_rows(session, sender_id, window)]
            except SQLAlchemyError:
                continue
            finally:
                engine.dispose()
        return None

    def _windowed_rows(self, session: Any, sender_id: str, window: int) -> List[Any]:
        # Only the columns used, as plain rows: building ORM objects for them cost more than the query.
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).with_entities(
            self.SQLEvent.id, self.SQLEvent.data
        )
        if not window:
            return list(query.all())
        tail = list(query.order_by(None).order_by(self.SQLEvent.id.desc()).limit(window).all())
        tail.reverse()
        if len(tail) < window:
            return tail  # the whole session
        earlier_state = query.filter(
            self.SQLEvent.id < tail[0].id, self.SQLEvent.type_name.in_(STATE_EVENT_TYPES)
        ).all()
        return [*earlier_state, *tail]

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await super().save(tracker)
        except SQLAlchemyError:
            store_outage.note_write_failure()
            raise

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """Events not stored yet. Rasa counts stored events and skips that many of the
        tracker's; a windowed tracker holds fewer, so the new ones are those after the last
        event it was loaded with."""
        last_loaded: Optional[Event] = getattr(tracker, _LAST_LOADED, None)
        if last_loaded is None:
            return iter(super()._additional_events(session, tracker))
        events = list(tracker.events)
        for index in range(len(events) - 1, -1, -1):
            # Same object, or an equal copy with the same time (Rasa's Event equality ignores time).
            if events[index] is last_loaded or (
                events[index] == last_loaded and events[index].timestamp == last_loaded.timestamp
            ):
                setattr(tracker, _LAST_LOADED, events[-1] if events else None)  # saved up to here
                return iter(events[index + 1 :])
        # Not found (a copy whose events were rebuilt): the new events are the ones after it in time.
        setattr(tracker, _LAST_LOADED, events[-1] if events else None)
        return iter([event for event in events if event.timestamp > last_loaded.timestamp])
