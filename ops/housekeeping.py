"""The daily purge of old conversations and requests (clinic.yml's `retention`), run by
`make run` and `make cluster` while they supervise.

Checked every hour; storage.retention.purge_due purges at most once a day however many
supervisors ask (the claim is one conditional UPDATE in the clinic database). It runs in a
thread of its own, so a long purge never delays restarting a server that died.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Optional

from storage.retention import purge_due

CHECK_EVERY_SECONDS = 3600.0


class DailyPurge:
    def __init__(
        self,
        tracker_url: Optional[str],
        clinic_url: Optional[str],
        say: Callable[[str], None],
        check_every: float = CHECK_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tracker_url, self.clinic_url, self.say = tracker_url, clinic_url, say
        self.check_every, self.clock = check_every, clock
        self._next_check = clock()  # the first check right after the start
        self._running: Optional[threading.Thread] = None

    def tick(self) -> None:
        """Called every second or so by the supervisor's loop."""
        if self.clock() < self._next_check or (self._running and self._running.is_alive()):
            return
        self._next_check = self.clock() + self.check_every
        self._running = threading.Thread(target=self._purge, name="daily-purge", daemon=True)
        self._running.start()

    def _purge(self) -> None:
        try:
            purged = purge_due(tracker=self.tracker_url, clinic=self.clinic_url)
        except Exception as error:  # tried again at the next check; never stops the assistant
            self.say(f"daily purge failed ({type(error).__name__}); trying again in an hour")
            return
        if purged is not None:
            self.say(f"daily purge (clinic.yml retention): deleted {purged.describe()}")

    def join(self, timeout: float = 30.0) -> None:
        if self._running is not None:
            self._running.join(timeout)
