"""`make check`: the checks staff run after an edit, each problem with its file and line.

1. this project's data checks (clinic/datacheck.py): the same example under two topics,
   topics with too few examples, phone numbers, prices or addresses typed into answers,
   broken button payloads;
2. `rasa data validate`, failing on any warning (ops/validate.py);
3. the clinic settings file (python -m clinic check-settings).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from clinic.datacheck import report, run_all
from clinic.settings import SettingsError, load_settings
from ops import validate

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_checks(root: Path) -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"error: clinic settings: {error}", file=sys.stderr)
        return 1
    problems = run_all(root, settings.phone_region, settings.address)
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
        failed |= subprocess.run([sys.executable, "-m", "clinic", "check-settings"], cwd=REPO_ROOT).returncode
    if failed:
        print("make check: FAILED (problems above)", file=sys.stderr)
        return 1
    print("make check: all good")
    return 0


if __name__ == "__main__":
    sys.exit(main())
