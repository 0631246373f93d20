"""Held-out scores of one trained model, and the table the fallback threshold is chosen from.

    python -m bench.heldout [--model models/x.tar.gz] [--file bench/heldout.tsv] [--show-errors]

Prints topic accuracy, in-scope recall and deflection (bench/understanding.py), the
confidence of right and wrong answers, and for thresholds 0.3-0.7 the share of right
answers a threshold would throw away against the share of wrong answers it would catch.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import List, Sequence

from bench.understanding import Prediction, is_right, read_labelled, score
from clinic.paths import REPO_ROOT

DEFAULT_HELDOUT = REPO_ROOT / "bench" / "heldout.tsv"


def confidence_report(predictions: Sequence[Prediction]) -> str:
    right = sorted(p.confidence for p in predictions if is_right(p))
    wrong = sorted(p.confidence for p in predictions if not is_right(p) and p.answered != "nlu_fallback")

    def quantiles(values: List[float]) -> str:
        if not values:
            return "none"

        def cut(q: float) -> float:
            return values[min(len(values) - 1, int(q * len(values)))]

        return (
            f"n={len(values)} min={values[0]:.2f} p5={cut(0.05):.2f} p10={cut(0.10):.2f} "
            f"median={statistics.median(values):.2f}"
        )

    lines = [f"intent confidence when right: {quantiles(right)}", f"intent confidence when wrong: {quantiles(wrong)}"]
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        lost = sum(c < threshold for c in right) / max(len(right), 1)
        caught = sum(c < threshold for c in wrong) / max(len(wrong), 1)
        lines.append(f"threshold {threshold:.1f}: right answers lost {lost:5.1%}, wrong answers caught {caught:5.1%}")
    return "\n".join(lines)


def main() -> None:
    from bench.__main__ import quiet_rasa
    from bench.rasa_systems import predictor_for
    from ops.training import current_model

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--file", type=Path, default=DEFAULT_HELDOUT)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    quiet_rasa()
    model = args.model or current_model(REPO_ROOT)
    if model is None:
        raise SystemExit("error: no current model; run `make train` first")
    result, predictions = score(predictor_for(model), read_labelled(args.file))
    for key in ("messages", "topic_accuracy", "overall_accuracy", "macro_f1", "in_scope_recall", "deflection"):
        print(f"{key}: {result[key]}")
    print(confidence_report(predictions))
    if args.show_errors:
        for p in predictions:
            if not is_right(p):
                print(f"  {p.gold:22} -> {p.answered:22} {p.confidence:.2f}  {p.text}")


if __name__ == "__main__":
    main()
