"""Train and query Rasa systems for the benchmark: the project's config and `rasa init`'s.

Training runs with Rasa's cache off (RASA_MAX_CACHE_SIZE=0), so every figure is a
training from scratch; NLU-only folds for cross-validation train in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import yaml

from bench.understanding import Answer, Labelled, Predictor
from clinic.paths import REPO_ROOT, VECTOR_CACHE_ENV_VAR
from ops.rasa_env import rasa_env

NO_CACHE_ENV = {"RASA_MAX_CACHE_SIZE": "0", "TF_CPP_MIN_LOG_LEVEL": "3"}


def rasa_init_config() -> Path:
    """The config.yml that `rasa init` writes, from the installed Rasa itself."""
    import rasa

    return Path(rasa.__file__).parent / "cli" / "initial_project" / "config.yml"


def quick_config(source: Path, target: Path) -> Path:
    """`source` with every epochs setting at 1 (smoke tests only: the code runs, figures mean nothing)."""
    config = yaml.safe_load(source.read_text())
    pipeline = config.get("pipeline") or [
        {"name": "WhitespaceTokenizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "DIETClassifier"},
        {"name": "ResponseSelector"},
        {"name": "FallbackClassifier", "threshold": 0.3},
    ]
    policies = config.get("policies") or [
        {"name": "MemoizationPolicy"},
        {"name": "RulePolicy"},
        {"name": "TEDPolicy", "max_history": 5},
    ]
    for component in [*pipeline, *policies]:
        if component["name"] in ("DIETClassifier", "ResponseSelector", "TEDPolicy", "UnexpecTEDIntentPolicy"):
            component["epochs"] = 1
    config.update(pipeline=pipeline, policies=policies)
    target.write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def _ticker(label: str, progress: Callable[[str], None], stop: threading.Event, every: float = 20.0) -> None:
    started = time.monotonic()
    while not stop.wait(every):
        progress(f"  {label}: still running, {time.monotonic() - started:.0f} s")


def train_full(
    config: Path, out_dir: Path, name: str, log: Path, progress: Callable[[str], None], cold: bool = True
) -> Tuple[Path, float]:
    """`rasa train` (NLU and dialogue) from scratch; returns the model and the seconds it took.
    `cold`: without the sentence vectors earlier trainings kept, as on a fresh machine."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    ticker = threading.Thread(target=_ticker, args=(f"training {name}", progress, stop), daemon=True)
    ticker.start()
    started = time.monotonic()
    # From scratch means the domain gate's corpus sentence vectors too (kept under var/ by
    # `make train`): a cold place for them, removed afterwards.
    cold_vectors = tempfile.mkdtemp(prefix="bench-vectors-")
    vectors = {VECTOR_CACHE_ENV_VAR: cold_vectors} if cold else {}
    with open(log, "w") as handle:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "rasa",
                "train",
                f"--config={config}",
                f"--out={out_dir}",
                f"--fixed-model-name={name}",
            ],
            cwd=REPO_ROOT,
            env={**rasa_env(), **NO_CACHE_ENV, **vectors},
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    seconds = time.monotonic() - started
    shutil.rmtree(cold_vectors, ignore_errors=True)
    stop.set()
    if result.returncode != 0:
        raise RuntimeError(f"training {name} failed (exit code {result.returncode}); see {log}")
    return out_dir / f"{name}.tar.gz", seconds


def label_of(parsed: Dict[str, Any]) -> Answer:
    """The label a visitor's message gets (after the fallback threshold), its confidence, and
    the topics offered instead of an answer (components/topic_clarifier.py)."""
    intent = parsed.get("intent") or {}
    label = intent.get("name") or "nlu_fallback"
    confidence = float(intent.get("confidence") or 0.0)
    if label == "faq":
        # `rasa init`'s config has a ResponseSelector for all retrieval intents, named "default".
        selectors = parsed.get("response_selector") or {}
        selector = selectors.get("faq") or selectors.get("default") or {}
        label = (selector.get("response") or {}).get("intent_response_key") or "faq/unknown"
    # Buttons instead of an answer: the topic clarifier's pair, or the not-understood
    # reply's suggestions (components/fallback_suggestions.py).
    choices = parsed.get("faq_choices") or parsed.get("suggested") or ()
    return Answer(label, confidence, tuple(choices))


def predictor_for(model: Path) -> Predictor:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    def predict(texts: Sequence[str]) -> List[Answer]:
        async def parse_all() -> List[Answer]:
            return [label_of(await agent.parse_message(text)) for text in texts]

        return asyncio.run(parse_all())

    return predict


def _write_nlu(examples: Labelled, folder: Path) -> None:
    by_intent: Dict[str, List[str]] = {}
    for text, label in examples:
        by_intent.setdefault(label, []).append(text)
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in by_intent.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {text}" for text in texts]
    (folder / "nlu.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Retrieval intents need their responses to train the ResponseSelector.
    shutil.copy(REPO_ROOT / "data" / "responses" / "faq.yml", folder / "responses.yml")


def nlu_fitter(config: Path, work: Path) -> Callable[[Labelled], Predictor]:
    """A function that trains an NLU-only model of `config` on examples and returns its predictor."""
    counter = iter(range(1, 10_000))

    def fit(examples: Labelled) -> Predictor:
        from rasa.model_training import train_nlu

        folder = Path(tempfile.mkdtemp(dir=work))
        _write_nlu(examples, folder)
        for key, value in NO_CACHE_ENV.items():
            os.environ[key] = value
        with open(folder / "train.log", "w") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            model = train_nlu(
                str(config),
                str(folder),
                str(folder / "out"),
                fixed_model_name=f"fold{next(counter)}",
                domain=str(REPO_ROOT / "domain.yml"),
            )
        if model is None:
            raise RuntimeError(f"NLU training with {config} failed")
        return predictor_for(Path(model))

    return fit
