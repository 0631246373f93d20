"""`make stories`: rasa test on tests/stories, failing (with names) on any failed story.

`--fail-on-prediction-errors` stops at the first wrong prediction; this runs them all and
then lists every failed story from Rasa's failed_test_stories.yml.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

import yaml

from clinic.paths import REPO_ROOT
from ops.rasa_env import rasa_env


def failed_story_names(report: Path) -> List[str]:
    if not report.exists():
        raise FileNotFoundError(f"{report} was not written: rasa test did not finish")
    data = yaml.safe_load(report.read_text()) or {}
    return [story.get("story", "?") for story in data.get("stories") or []]


def main(argv: Optional[List[str]] = None) -> int:
    from ops.training import current_model

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    root = parser.parse_args(argv).root.resolve()
    out = root / "results" / "stories"
    model = current_model(root)
    if model is None:
        print("error: no current model; run `make train` first", file=sys.stderr)
        return 1
    result = subprocess.run(
        # `rasa test` (not `rasa test core`) reads the visitors' words through the NLU
        # model, so a story fails when a phrasing is misunderstood. Its NLU report runs on
        # the small smalltalk file only: the held-out benchmark measures NLU properly.
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            f"--model={model}",
            "--stories=tests/stories",
            "--nlu=data/nlu/smalltalk.yml",
            f"--out={out}",
            "--no-plot",
        ],
        cwd=root,
        env=rasa_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        print(result.stdout[-3000:] + result.stderr[-3000:], file=sys.stderr)
        print(f"error: rasa test exited with {result.returncode}", file=sys.stderr)
        return 1
    stories = sum(
        len((yaml.safe_load(p.read_text()) or {}).get("stories") or []) for p in (root / "tests/stories").glob("*.yml")
    )
    failed = failed_story_names(out / "failed_test_stories.yml")
    if failed:
        for name in failed:
            print(f"FAILED story: {name}", file=sys.stderr)
        print(
            f"{len(failed)} of {stories} test stories failed; details in {out / 'failed_test_stories.yml'}",
            file=sys.stderr,
        )
        return 1
    print(f"{stories} passed, 0 failed (test stories)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
