"""Everyday requests written for other assistants (timers, banking, travel, small talk): how
many does a system decline, i.e. answer with neither a FAQ topic nor the booking form?

The texts are the test splits of CLINC150 and Banking77 (whose train splits train the domain
gate) and all of HWU64, a third corpus nothing here trains on (corpora/README.md).
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

from bench.understanding import Predictor, is_deflected
from clinic.paths import REPO_ROOT
from components.domain_model import read_corpus

CORPORA = REPO_ROOT / "corpora"
MEASURED = {
    "clinc150_test": CORPORA / "clinc150_test.tsv",
    "banking77_test": CORPORA / "banking77_test.tsv",
    "hwu64": CORPORA / "hwu64.tsv",
}
# Which corpus' other split trains the domain gate (config.yml): HWU64 is never trained on.
HOW_KEPT_OUT = {
    "clinc150_test": "test split; its train split trains the domain gate",
    "banking77_test": "test split; its train split trains the domain gate",
    "hwu64": "whole corpus; nothing trains on it",
}


def read_sets(sample: Optional[int] = None) -> Dict[str, List[str]]:
    sets = {name: read_corpus(path) for name, path in MEASURED.items()}
    if sample:
        sets = {name: random.Random(1).sample(texts, min(sample, len(texts))) for name, texts in sets.items()}
    return sets


def measure(predict: Predictor, sets: Dict[str, List[str]]) -> Dict[str, Dict[str, object]]:
    results: Dict[str, Dict[str, object]] = {}
    for name, texts in sets.items():
        labels = [answer.label for answer in predict(texts)]
        answered = [(text, label) for text, label in zip(texts, labels) if not is_deflected(label)]
        results[name] = {
            "texts": len(texts),
            "declined": round(1 - len(answered) / len(texts), 4) if texts else 0.0,
            "kept_out": HOW_KEPT_OUT[name],
            "answered_as": dict(Counter(label for _, label in answered).most_common(6)),
            "answered_examples": [f"{text} -> {label}" for text, label in answered[:15]],
        }
    return results


def overall_declined(results: Dict[str, Dict[str, object]]) -> float:
    texts = sum(int(str(r["texts"])) for r in results.values())
    declined = sum(float(str(r["declined"])) * int(str(r["texts"])) for r in results.values())
    return round(declined / texts, 4) if texts else 0.0


def main(model: Path) -> None:
    from bench.rasa_systems import predictor_for

    results = measure(predictor_for(model), read_sets())
    for name, figures in results.items():
        print(f"{name}: declined {figures['declined']:.1%} of {figures['texts']} ({figures['kept_out']})")
        print(f"  answered as {figures['answered_as']}")
    print(f"all: declined {overall_declined(results):.1%}")


if __name__ == "__main__":
    import sys

    main(Path(sys.argv[1]))
