"""Score a trained model on labelled visitor messages that are not in the training data.

Labels follow shared/spec/faq-topics.md: `faq/<topic>`, `book_appointment`,
`out_of_scope`, and this project's other intents (`ask_beyond_article`, ...).

    python -m bench.heldout [--model models/x.tar.gz] [--file bench/heldout.tsv]

Prints topic accuracy, in-scope recall, out-of-scope deflection and the confidence
distribution that the FallbackClassifier threshold is chosen from.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HELDOUT = REPO_ROOT / "bench" / "heldout.tsv"
# Messages that should get neither a FAQ answer nor the booking form.
DEFLECT_LABELS = frozenset({"out_of_scope", "ask_beyond_article"})
DEFLECTED_PREDICTIONS = frozenset({"out_of_scope", "ask_beyond_article", "nlu_fallback"})


@dataclass(frozen=True)
class Prediction:
    text: str
    gold: str
    label: str  # faq/<topic> or the intent
    intent_confidence: float
    answered_label: str  # what the visitor gets once the fallback threshold applies


def read_labelled(path: Path) -> List[Tuple[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [(row["text"], row["label"]) for row in csv.DictReader(handle, delimiter="\t")]


def label_of(parsed: Dict) -> Tuple[str, float, str]:
    """(label before fallback, intent confidence, label after fallback) for a parse result."""
    ranking = parsed.get("intent_ranking") or [parsed["intent"]]
    top = next((r for r in ranking if r["name"] != "nlu_fallback"), parsed["intent"])
    label = top["name"]
    if label == "faq":
        label = parsed["response_selector"]["faq"]["response"]["intent_response_key"]
    answered = "nlu_fallback" if parsed["intent"]["name"] == "nlu_fallback" else label
    return label, float(top.get("confidence") or 0.0), answered


def predict(model: Path, labelled: Sequence[Tuple[str, str]]) -> List[Prediction]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> List[Prediction]:
        results = []
        for text, gold in labelled:
            label, confidence, answered = label_of(await agent.parse_message(text))
            results.append(Prediction(text, gold, label, confidence, answered))
        return results

    return asyncio.run(run())


def summarise(predictions: Sequence[Prediction]) -> Dict[str, float]:
    total = len(predictions)
    in_scope = [p for p in predictions if p.gold not in DEFLECT_LABELS]
    off = [p for p in predictions if p.gold in DEFLECT_LABELS]

    def correct(p: Prediction) -> bool:
        if p.gold in DEFLECT_LABELS:
            return p.answered_label in DEFLECTED_PREDICTIONS
        return p.answered_label == p.gold

    return {
        "messages": total,
        "topic_accuracy": sum(map(correct, predictions)) / total,
        "in_scope_recall": sum(p.answered_label == p.gold for p in in_scope) / max(len(in_scope), 1),
        "deflection": sum(
            not (p.answered_label.startswith("faq/") or p.answered_label == "book_appointment") for p in off
        ) / max(len(off), 1),
    }


def confidence_report(predictions: Sequence[Prediction]) -> str:
    right = sorted(p.intent_confidence for p in predictions if p.label == p.gold)
    wrong = sorted(p.intent_confidence for p in predictions if p.label != p.gold)

    def quantiles(values: List[float]) -> str:
        if not values:
            return "none"
        cut = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
        return f"n={len(values)} min={values[0]:.2f} p5={cut(0.05):.2f} p10={cut(0.10):.2f} median={statistics.median(values):.2f}"

    lines = [f"intent confidence when right: {quantiles(right)}", f"intent confidence when wrong: {quantiles(wrong)}"]
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        lost = sum(c < threshold for c in right) / max(len(right), 1)
        caught = sum(c < threshold for c in wrong) / max(len(wrong), 1)
        lines.append(f"threshold {threshold:.1f}: right answers lost {lost:5.1%}, wrong answers caught {caught:5.1%}")
    return "\n".join(lines)


def main() -> None:
    from ops.training import newest_model

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--file", type=Path, default=DEFAULT_HELDOUT)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    model = args.model or newest_model(REPO_ROOT / "models")
    predictions = predict(model, read_labelled(args.file))
    for key, value in summarise(predictions).items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    print(confidence_report(predictions))
    if args.show_errors:
        for p in predictions:
            if p.answered_label != p.gold and not (p.gold in DEFLECT_LABELS and p.answered_label in DEFLECTED_PREDICTIONS):
                print(f"  {p.gold:28} -> {p.answered_label:28} {p.intent_confidence:.2f}  {p.text}")


if __name__ == "__main__":
    main()
