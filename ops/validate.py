"""`make validate`: rasa data validate, failing on every warning it prints.

Rasa 3.6's `--fail-on-warnings` still exits 0 after many warnings (those raised while
loading files), so this reads the output instead. One warning is a known false positive
and is allowed: Rasa's ResponsesSyncImporter derives the retrieval intent `faq` from the
NLU data and merges it with the `faq` that domain.yml lists, then warns that `faq` is
"duplicated across multiple domain files". Leaving `faq` out of domain.yml instead makes
the story reader warn that rules use an intent the domain lacks; there is no third way.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

from ops.rasa_env import rasa_env

ALLOWED_WARNINGS = (
    "The following duplicated intents have been found across multiple domain files: faq\n"
    "  More info at https://rasa.com/docs/rasa/domain\n",
)
_WARNING_START = re.compile(r"^.*?(UserWarning|FutureWarning|DeprecationWarning): ", re.M)
# Library deprecation notices (TensorFlow, SQLAlchemy, pkg_resources) are not about our data.
_LIBRARY_NOISE = re.compile(r"DeprecationWarning|MovedIn20Warning|pkg_resources|declare_namespace")


def data_warnings(output: str) -> List[str]:
    """The UserWarnings in `output`, each with its continuation lines."""
    warnings = []
    for chunk in re.split(r"(?=^\S*?/[^\n]*?UserWarning: )", output, flags=re.M):
        if "UserWarning: " not in chunk:
            continue
        message = chunk.split("UserWarning: ", 1)[1]
        message = re.sub(r"\x1b\[[0-9;]*m", "", message)
        lines = []
        for line in message.splitlines():
            if re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", line) or _WARNING_START.match(line):
                break
            lines.append(line)
        warnings.append("\n".join(lines).strip() + "\n")
    return [w for w in warnings if w not in ALLOWED_WARNINGS and not _LIBRARY_NOISE.search(w)]


def main(root: Optional[Path] = None) -> int:
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings"],
        capture_output=True,
        text=True,
        cwd=root,
        env=rasa_env(),
    )
    output = result.stdout + result.stderr
    problems = data_warnings(output)
    for problem in problems:
        print(f"warning: {problem.strip()}", file=sys.stderr)
    if result.returncode != 0 or problems:
        if result.returncode != 0 and not problems:
            print(output[-4000:], file=sys.stderr)
        print(f"rasa data validate: {len(problems)} warning(s), exit code {result.returncode}", file=sys.stderr)
        return 1
    print("rasa data validate: no warnings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
