"""`make check`: the checks staff run after an edit, each problem with its file and line.

1. this project's data checks (training_data/): the same example under two topics,
   topics with too few examples, phone numbers, prices or addresses typed into answers,
   broken button payloads; every response and message rendered with the real settings
   (a placeholder nothing fills, a stray brace); visitor sentences typed into code;
2. `rasa data validate`, failing on any warning (ops/validate.py);
3. the clinic settings file (python -m staff check-settings).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from clinic.paths import REPO_ROOT
from clinic.settings import SettingsError, load_settings
from ops import validate
from training_data.code_texts import find_code_texts
from training_data.datacheck import Problem, report, run_all
from training_data.text_rendering import text_problems


def data_checks(root: Path) -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"error: clinic settings: {error}", file=sys.stderr)
        return 1
    problems = run_all(root, settings.phone_region, settings.address) + text_problems(root, settings)
    problems += [
        Problem(
            root / found.path,
            found.line,
            f"visitor text in code: {found.text!r}",
            "move it to messages.yml and send it by its name",
        )
        for found in find_code_texts(root)
    ]
    if problems:
        print(report(problems, root), file=sys.stderr)
        print(f"data checks: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("data checks: no problems")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-only", action="store_true", help="skip rasa data validate (seconds instead of ~20 s)")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.root.resolve()
    failed = data_checks(root)
    if not args.data_only:
        failed |= validate.main(root)
        failed |= subprocess.run([sys.executable, "-m", "staff", "check-settings"], cwd=REPO_ROOT).returncode
    if failed:
        print("make check: FAILED (problems above)", file=sys.stderr)
        return 1
    print("make check: all good")
    return 0


if __name__ == "__main__":
    sys.exit(main())
