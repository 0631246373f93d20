"""How well a system understands visitors: held-out scoring, metrics, cross-validation.

Labels follow shared/spec/faq-topics.md: `faq/<topic>` for FAQ questions, else the intent.
A system's answer to a message is its label after its fallback threshold; `nlu_fallback`,
`out_of_scope` and `ask_beyond_article` mean the visitor gets no medical answer.
"""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, NamedTuple, Sequence, Tuple

from clinic.paths import REPO_ROOT
from training_data.nlu_files import nlu_files, read_all

# Messages that should get neither a FAQ answer nor the booking form.
DEFLECT_LABELS = frozenset({"out_of_scope", "ask_beyond_article"})
Labelled = List[Tuple[str, str]]  # (text, label)


class Answer(NamedTuple):
    label: str  # the label after the fallback threshold (for FAQ: the best topic, as the contract asks)
    confidence: float
    choices: Tuple[str, ...] = ()  # the topics offered as buttons when the system asked instead


# A system under test: texts in, one answer per text out.
Predictor = Callable[[Sequence[str]], List[Answer]]


@dataclass(frozen=True)
class Prediction:
    text: str
    gold: str
    answered: str  # the label after the fallback threshold
    confidence: float
    choices: Tuple[str, ...] = ()  # topics offered instead of an answer ("Which of these did you mean?")


def read_labelled(path: Path) -> Labelled:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return [(row["text"], row["label"]) for row in rows]


def training_examples(data_dir: Path = REPO_ROOT / "data") -> Labelled:
    """Every NLU training example with its label (`faq/<topic>` or the intent), annotations removed."""
    blocks = read_all(nlu_files(data_dir))
    return [(example.plain, intent) for intent, block in blocks.items() for example in block.examples]


def is_deflected(label: str) -> bool:
    """The visitor gets neither a FAQ answer nor the booking form."""
    return not (label.startswith("faq/") or label == "book_appointment")


def is_right_first(prediction: Prediction) -> bool:
    """The first reply answers the right topic: no question back."""
    return prediction.answered == prediction.gold and not prediction.choices


def is_right_after_click(prediction: Prediction) -> bool:
    """Right at once, or the right topic was one of the two buttons offered."""
    return is_right_first(prediction) or prediction.gold in prediction.choices


def is_right(prediction: Prediction) -> bool:
    if prediction.gold in DEFLECT_LABELS:
        return is_deflected(prediction.answered)
    return prediction.answered == prediction.gold


def _f1_label(label: str) -> str:
    # The contract allows nlu_fallback for an off-topic message: it scores as out_of_scope.
    return "out_of_scope" if label == "nlu_fallback" else label


def macro_f1(predictions: Sequence[Prediction]) -> float:
    labels = sorted({p.gold for p in predictions})
    scores = []
    for label in labels:
        tp = sum(p.gold == label and _f1_label(p.answered) == label for p in predictions)
        fp = sum(p.gold != label and _f1_label(p.answered) == label for p in predictions)
        fn = sum(p.gold == label and _f1_label(p.answered) != label for p in predictions)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def metrics(predictions: Sequence[Prediction]) -> Dict[str, object]:
    faq = [p for p in predictions if p.gold.startswith("faq/")]
    in_scope = [p for p in predictions if p.gold not in DEFLECT_LABELS]
    off = [p for p in predictions if p.gold in DEFLECT_LABELS]
    per_label: Dict[str, List[Prediction]] = defaultdict(list)
    for p in predictions:
        per_label[p.gold].append(p)
    confusion = {
        gold: dict(Counter(p.answered for p in group).most_common()) for gold, group in sorted(per_label.items())
    }
    return {
        "messages": len(predictions),
        # The best topic (what /model/parse reports, shared/spec/faq-topics.md), then what
        # the visitor sees: answered right at once, or right after one click on a button.
        "topic_accuracy": _share(p.answered == p.gold for p in faq),
        "first_reply_accuracy": _share(is_right_first(p) for p in faq),
        "after_one_click_accuracy": _share(is_right_after_click(p) for p in faq),
        "asked_share": _share(bool(p.choices) for p in faq),
        "overall_accuracy": _share(is_right(p) for p in predictions),
        "macro_f1": round(macro_f1(predictions), 4),
        "in_scope_recall": _share(p.answered == p.gold for p in in_scope),
        # Counting the buttons too: the clarifier's pair, or the not-understood reply's
        # suggestions (components/fallback_suggestions.py).
        "in_scope_after_one_click": _share(p.answered == p.gold or p.gold in p.choices for p in in_scope),
        "deflection": _share(is_deflected(p.answered) for p in off),
        "per_label_accuracy": {gold: _share(is_right(p) for p in group) for gold, group in sorted(per_label.items())},
        "confusion": confusion,
    }


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return round(sum(values) / len(values), 4) if values else 0.0


def score(predict: Predictor, labelled: Labelled) -> Tuple[Dict[str, object], List[Prediction]]:
    answers = predict([text for text, _ in labelled])
    predictions = [Prediction(text, gold, *answer) for (text, gold), answer in zip(labelled, answers)]
    return metrics(predictions), predictions


def stratified_folds(examples: Labelled, folds: int, seed: int = 42) -> List[Labelled]:
    """`folds` parts with each label spread evenly; the same parts for every system."""
    by_label: Dict[str, Labelled] = defaultdict(list)
    for example in examples:
        by_label[example[1]].append(example)
    parts: List[Labelled] = [[] for _ in range(folds)]
    rng = random.Random(seed)
    offset = 0
    for label in sorted(by_label):
        group = by_label[label][:]
        rng.shuffle(group)
        for index, example in enumerate(group):
            parts[(index + offset) % folds].append(example)
        offset += len(group)
    return parts


def cross_validate(
    fit: Callable[[Labelled], Predictor], examples: Labelled, folds: int = 5, progress: Callable[[str], None] = print
) -> Dict[str, object]:
    """Train on all folds but one, score on that one, for each fold; metrics over all folds' predictions."""
    parts = stratified_folds(examples, folds)
    predictions: List[Prediction] = []
    for number, test in enumerate(parts, start=1):
        train = [example for index, part in enumerate(parts) if index != number - 1 for example in part]
        progress(f"fold {number}/{folds}: training on {len(train)}, testing on {len(test)}")
        _, fold_predictions = score(fit(train), test)
        predictions.extend(fold_predictions)
    result = metrics(predictions)
    result["folds"] = folds
    return result
