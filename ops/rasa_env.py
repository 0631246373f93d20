"""The environment every `rasa` process of this project runs with.

- The repo root on PYTHONPATH: config.yml names this project's own NLU component
  (components.safety_net), which must import even when Rasa trains a copy of the data in
  another folder (the staff loop and `make reload --root` do).
- Rasa's telemetry and error reports off: the assistant sends nothing anywhere (README,
  "Where data lives"), and these machines have no route out anyway.
"""

from __future__ import annotations

import os
from typing import Dict, Mapping, Optional

from clinic.paths import REPO_ROOT


def rasa_env(base: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ if base is None else base)
    paths = [str(REPO_ROOT), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["RASA_TELEMETRY_ENABLED"] = "false"
    return env
