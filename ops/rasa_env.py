"""The environment every `rasa` process of this project runs with.

- The repo root on PYTHONPATH: config.yml names this project's own NLU component
  (components.safety_net), which must import even when Rasa trains a copy of the data in
  another folder (the staff loop and `make reload --root` do).
- Rasa's telemetry and error reports off: the assistant sends nothing anywhere (README,
  "Where data lives"); tests/e2e/test_nothing_leaves.py watches every process for it. Rasa
  also writes its settings file (~/.config/rasa/global.yml) on first use with
  `metrics: enabled: true` even when the variable says off; where no such file exists yet,
  it is written first saying `enabled: false`, as `rasa telemetry disable` would. An
  existing file (the user's own choice for their other projects) is left alone.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path
from typing import Dict, Mapping, Optional

from clinic.paths import REPO_ROOT


def rasa_env(base: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ if base is None else base)
    paths = [str(REPO_ROOT), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["RASA_TELEMETRY_ENABLED"] = "false"
    home = env.get("HOME") or os.path.expanduser("~")
    _telemetry_off_on_disk(Path(home) / ".config" / "rasa" / "global.yml")
    return env


def _telemetry_off_on_disk(path: Path) -> None:
    if path.exists():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "metrics:\n"
            "  enabled: false\n"
            f"  rasa_user_id: {uuid.uuid4().hex}\n"
            f"  date: {datetime.now().isoformat(sep=' ')}\n"
        )
    except OSError:
        pass  # a read-only home: Rasa can't write its file there either
