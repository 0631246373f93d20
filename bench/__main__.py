"""`make bench`: understanding, speed and cost of this project's pipeline, side by side with
the config `rasa init` writes and a TF-IDF + logistic regression baseline, in one run.

    python -m bench                  the full benchmark (about an hour on 2 cores)
    python -m bench --quick          a smoke run on a tiny sample (what `make test` runs)
    python -m bench --quick --project-model models/<name>.tar.gz
                                     the smoke run, scoring and serving a model of this project
                                     that `make train` already built instead of training one
    python -m bench --cv all         also cross-validate `rasa init`'s config (5 trainings of
                                     ~4 min each: the run then takes ~40 minutes)
    python -m bench --cv none        no cross-validation
    python -m bench --cv-only default --into bench/results/reference.json
                                     only cross-validate one system, into an earlier run's file

Writes bench/results/<timestamp>.json and .png and prints a table with the ratios.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List

from bench import baseline, other_domains, report
from bench.rasa_systems import nlu_fitter, predictor_for, quick_config, rasa_init_config, train_full
from bench.safety import SAFETY_BLIND_PASSED, SAFETY_BLIND_SETS, SAFETY_HELDOUT, read_cases
from bench.serving import LoadPlan, measure_served
from bench.understanding import Labelled, Predictor, cross_validate, read_labelled, score, training_examples
from clinic.paths import REPO_ROOT

HELDOUT = REPO_ROOT / "bench" / "heldout.tsv"
# A second held-out set, written on 2026-11-26 by a writer who saw only the article and the
# topic list, measured for the first time after that day's data and domain-gate changes.
HELDOUT_FRESH = REPO_ROOT / "bench" / "heldout_fresh.tsv"
HELDOUT_FRESH2 = REPO_ROOT / "bench" / "heldout_fresh2.tsv"
# A third, written on 2026-11-27 while the sentence encoder was built, first measured with it.
HELDOUT_FRESH3 = REPO_ROOT / "bench" / "heldout_fresh3.tsv"
HELDOUT_FRESH4 = REPO_ROOT / "bench" / "heldout_fresh4.tsv"
# A fifth, written on 2026-11-27 (fourth session), measured once when it arrived, then only reported.
HELDOUT_FRESH5 = REPO_ROOT / "bench" / "heldout_fresh5.tsv"
# A sixth, written on 2026-11-27 (fifth session), measured once when it arrived, then only reported.
HELDOUT_FRESH6 = REPO_ROOT / "bench" / "heldout_fresh6.tsv"
# A seventh, written on 2026-11-27 (sixth session), measured once when it arrived, then only reported.
HELDOUT_FRESH7 = REPO_ROOT / "bench" / "heldout_fresh7.tsv"
# An eighth, written on 2026-11-28 (ninth session), measured once when it arrived (before
# that session's NLU and triage changes were made, and without looking at its mistakes),
# then once after them.
HELDOUT_FRESH8 = REPO_ROOT / "bench" / "heldout_fresh8.tsv"
# A ninth, written on 2026-11-28 (tenth session), measured once when it arrived, before any
# change and without looking at its mistakes.
HELDOUT_FRESH9 = REPO_ROOT / "bench" / "heldout_fresh9.tsv"
# A tenth, the same session, labelled to the topic contract (../shared/spec/faq-topics.md):
# "does it help with X" is faq/conditions, "can I if I have X" faq/contraindications, "how
# many sessions" faq/results, whatever X is. Measured once before and once after that
# session's NLU change, without looking at its mistakes in between.
HELDOUT_FRESH10 = REPO_ROOT / "bench" / "heldout_fresh10.tsv"
# An eleventh, written on 2026-11-28 (eleventh session) to the same contract, with skin types
# and a body area alone as beyond the article and 12 questions on the clinic's hours,
# address and phone; measured once before and once after that session's NLU change.
HELDOUT_FRESH11 = REPO_ROOT / "bench" / "heldout_fresh11.tsv"
# A twelfth, written on 2026-11-28 (twelfth session) to the same contract, a third of it from
# travellers and people busy with life events, a third very short phone messages; measured
# once before that session's changes (beyond-the-article data, ArticleGapGate) and once after.
HELDOUT_FRESH12 = REPO_ROOT / "bench" / "heldout_fresh12.tsv"
# A thirteenth, written on 2026-11-28 (thirteenth session) by second-language writers,
# visitors over 60 and people asking for someone else; measured once before that session's
# NLU changes.
HELDOUT_FRESH13 = REPO_ROOT / "bench" / "heldout_fresh13.tsv"
# A fourteenth, written at the end of the thirteenth session (people shopping around, men and
# first-timers, fast phone typing); measured once, blind, with that session's final model.
HELDOUT_FRESH14 = REPO_ROOT / "bench" / "heldout_fresh14.tsv"
# Questions about the clinic's hours, address and phone (ask_clinic_details, answered from
# clinic.yml): 30 of one writer's 130, kept out of training (eleventh session).
CLINIC_DETAILS = REPO_ROOT / "bench" / "clinic_details.tsv"
FRESH_SETS = {
    "heldout_fresh": HELDOUT_FRESH,
    "heldout_fresh2": HELDOUT_FRESH2,
    "heldout_fresh3": HELDOUT_FRESH3,
    "heldout_fresh4": HELDOUT_FRESH4,
    "heldout_fresh5": HELDOUT_FRESH5,
    "heldout_fresh6": HELDOUT_FRESH6,
    "heldout_fresh7": HELDOUT_FRESH7,
    "heldout_fresh8": HELDOUT_FRESH8,
    "heldout_fresh9": HELDOUT_FRESH9,
    "heldout_fresh10": HELDOUT_FRESH10,
    "heldout_fresh11": HELDOUT_FRESH11,
    "heldout_fresh12": HELDOUT_FRESH12,
    "heldout_fresh13": HELDOUT_FRESH13,
    "heldout_fresh14": HELDOUT_FRESH14,
    "clinic_details": CLINIC_DETAILS,
}
RESULTS = REPO_ROOT / "bench" / "results"
STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.0f} s] {message}", flush=True)


def machine() -> Dict[str, object]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "platform": platform.platform()}


def quiet_rasa() -> None:
    """Rasa's INFO and structlog debug lines would bury the progress output."""
    import structlog

    logging.disable(logging.INFO)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sample, 1 epoch: checks the code, not the figures")
    parser.add_argument(
        "--cv",
        choices=("none", "fast", "all"),
        default="fast",
        help="cross-validate: none; fast = baseline and this project (default); all = also rasa init's config",
    )
    parser.add_argument(
        "--project-model",
        type=Path,
        default=None,
        help="with --quick: use this trained model of the project instead of training it again",
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON file to write (default bench/results/<time>.json)")
    parser.add_argument("--cv-only", choices=("project", "default", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--into", type=Path, help=argparse.SUPPRESS)
    # A fresh set that arrived during a run, scored with that run's own trained models.
    parser.add_argument("--fresh-only", choices=tuple(FRESH_SETS), help=argparse.SUPPRESS)
    parser.add_argument("--models", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.project_model and not args.quick:
        parser.error("--project-model is for the smoke run (--quick): the full run times its own training")
    if args.project_model and not args.project_model.is_file():
        parser.error(f"--project-model: no such model file {args.project_model}")
    if args.cv_only:
        return cv_into(args.cv_only, args.into)
    if args.fresh_only:
        return fresh_into(args.fresh_only, args.models, args.into)
    quiet_rasa()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    out = args.out or RESULTS / f"{stamp}{'-quick' if args.quick else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    heldout = read_labelled(HELDOUT)
    fresh = {name: read_labelled(path) for name, path in FRESH_SETS.items()}
    examples = training_examples()
    elsewhere = other_domains.read_sets(sample=30 if args.quick else None)
    if args.quick:
        heldout = random.Random(1).sample(heldout, 24)
        fresh = {name: random.Random(1).sample(texts, 24) for name, texts in fresh.items()}
        examples = random.Random(1).sample(examples, 300)
    plan = LoadPlan()
    if args.quick:
        plan = LoadPlan(
            closed_levels=(1, 2),
            open_rates=(5,),
            closed_messages={1: 6, 2: 8},
            open_seconds=1.0,
            max_seconds=10.0,
            warmup_messages=2,
        )
    configs = {"project": REPO_ROOT / "config.yml", "default": rasa_init_config()}
    if args.quick:
        configs = {name: quick_config(path, work / f"{name}-config.yml") for name, path in configs.items()}
    results: Dict[str, Any] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "quick": args.quick,
        "heldout_file": str(HELDOUT.relative_to(REPO_ROOT)),
        "heldout_messages": len(heldout),
        **{f"{name}_file": str(path.relative_to(REPO_ROOT)) for name, path in FRESH_SETS.items()},
        **{f"{name}_messages": len(fresh[name]) for name in FRESH_SETS},
        "other_domain_texts": {name: len(texts) for name, texts in elsewhere.items()},
        "training_examples": len(examples),
        "systems": {name: {} for name in report.SYSTEMS},
    }
    progress(f"work folder {work}; held-out messages {len(heldout)}; training examples {len(examples)}")
    safety_sets = {
        "safety": read_cases(SAFETY_HELDOUT),
        "safety_blind": [c for path in SAFETY_BLIND_SETS for c in read_cases(path)],
        "safety_blind21": read_cases(SAFETY_BLIND_PASSED),
    }
    if args.quick:
        safety_sets = {name: random.Random(1).sample(cases, 12) for name, cases in safety_sets.items()}
    results["safety_file"] = str(SAFETY_HELDOUT.relative_to(REPO_ROOT))
    results["safety_reports"] = len(safety_sets["safety"])
    results["safety_blind_files"] = [str(path.relative_to(REPO_ROOT)) for path in SAFETY_BLIND_SETS]
    results["safety_blind_reports"] = len(safety_sets["safety_blind"])
    serve_messages: List[str] = [text for text, label in heldout if label.startswith("faq/")] or [t for t, _ in heldout]

    # Plain baseline: held-out and CV in seconds.
    progress("baseline: TF-IDF + logistic regression")
    started = time.monotonic()
    predict = baseline.fit(examples)
    results["systems"]["baseline"]["train_s"] = round(time.monotonic() - started, 1)
    results["systems"]["baseline"]["heldout"], _ = score(predict, heldout)
    score_elsewhere(results["systems"]["baseline"], predict, fresh, elsewhere)
    cv_systems = {"none": (), "fast": ("baseline", "project"), "all": report.SYSTEMS}[args.cv]
    results["cross_validated"] = list(cv_systems)
    if "baseline" in cv_systems:
        results["systems"]["baseline"]["cv"] = cross_validate(baseline.fit, examples, 2 if args.quick else 5, progress)

    for name, config in configs.items():
        system = results["systems"][name]
        if name == "project" and args.project_model:
            # The smoke run only checks the code: `make train` already trained this project.
            model = args.project_model
            system["reused_model"] = str(model)
            progress(f"{name}: using the trained model {model}; scoring {len(heldout)} held-out messages")
        else:
            progress(f"{name}: training from scratch with {config}")
            # The smoke run checks the code, not the time: it may reuse kept sentence vectors.
            log = work / f"train-{name}.log"
            model, system["train_s"] = train_full(config, work / "models", name, log, progress, cold=not args.quick)
            progress(f"{name}: trained in {system['train_s']:.0f} s; scoring {len(heldout)} held-out messages")
        predict_with_model = predictor_for(model)
        system["heldout"], predictions = score(predict_with_model, heldout)
        system["heldout_errors"] = [
            {
                "text": p.text,
                "gold": p.gold,
                "answered": p.answered,
                "confidence": round(p.confidence, 3),
                "choices": list(p.choices),
            }
            for p in predictions
            if p.answered != p.gold or p.choices
        ]
        progress(
            f"{name}: topic accuracy {system['heldout']['topic_accuracy']:.1%}, "
            f"deflection {system['heldout']['deflection']:.1%}"
        )
        progress(f"{name}: the fresh sets and {sum(map(len, elsewhere.values()))} other assistants' requests")
        score_elsewhere(system, predict_with_model, fresh, elsewhere)
        progress(f"{name}: other assistants' requests declined {system['other_domains']['all']:.1%}")
        if args.quick and name != "project":
            # The smoke run serves one model: the serving code is the same for both.
            _save(results, out)
            continue
        progress(f"{name}: serving it as `make run` does and measuring load")
        system["served"] = measure_served(model, work / f"serve-{name}", serve_messages, plan, progress, safety_sets)
        _save(results, out)
    for name, config in configs.items():
        if name in cv_systems:
            progress(f"{name}: {2 if args.quick else 5}-fold cross-validation (NLU only)")
            cv_examples = examples
            results["systems"][name]["cv"] = cross_validate(
                nlu_fitter(config, work), cv_examples, 2 if args.quick else 5, progress
            )
            _save(results, out)
    results["seconds"] = round(time.monotonic() - STARTED, 1)
    _save(results, out)
    plot = report.plot(results, out.with_suffix(".png"))
    print()
    print(report.table(results))
    print(
        f"\nWrote {out.relative_to(REPO_ROOT) if out.is_relative_to(REPO_ROOT) else out} and {plot.name} "
        f"in {results['seconds'] / 60:.1f} minutes."
    )
    return 0


def score_elsewhere(
    system: Dict[str, Any], predict: Predictor, fresh: Dict[str, Labelled], elsewhere: Dict[str, List[str]]
) -> None:
    """The fresh held-out sets, and everyday requests written for other assistants."""
    for name, labelled in fresh.items():
        system[name], _ = score(predict, labelled)
    measured: Dict[str, Any] = other_domains.measure(predict, elsewhere)
    measured["all"] = other_domains.overall_declined(measured)
    system["other_domains"] = measured


def cv_into(system: str, path: Path) -> int:
    """5-fold CV of one system, added to an earlier run's JSON (marked as a separate run)."""
    quiet_rasa()
    results = json.loads(path.read_text())
    examples = training_examples()
    progress(f"{system}: 5-fold cross-validation (NLU only), into {path}")
    fit: Callable[[Labelled], Predictor]
    if system == "baseline":
        fit = baseline.fit
    else:
        config = REPO_ROOT / "config.yml" if system == "project" else rasa_init_config()
        fit = nlu_fitter(config, Path(tempfile.mkdtemp(prefix="bench-cv-")))
    cv = cross_validate(fit, examples, 5, progress)
    record_cv(results, system, cv, datetime.now(timezone.utc).isoformat(timespec="seconds"))
    _save(results, path)
    report.plot(results, path.with_suffix(".png"))
    print(report.table(results))
    return 0


def fresh_into(name: str, models: Path, path: Path) -> int:
    """Score one fresh set with an earlier run's trained models (`<run's work folder>/models`)
    and the baseline, into that run's JSON (marked as measured separately)."""
    quiet_rasa()
    results = json.loads(path.read_text())
    labelled = read_labelled(FRESH_SETS[name])
    measured_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    predictors: Dict[str, Callable[[], Predictor]] = {
        "baseline": lambda: baseline.fit(training_examples()),
        "project": lambda: predictor_for(models / "project.tar.gz"),
        "default": lambda: predictor_for(models / "default.tar.gz"),
    }
    for system, make in predictors.items():
        progress(f"{system}: scoring {len(labelled)} messages of {FRESH_SETS[name].name}")
        scored, _ = score(make(), labelled)
        results["systems"][system][name] = {**scored, "measured_separately": measured_at}
    results[f"{name}_file"] = str(FRESH_SETS[name].relative_to(REPO_ROOT))
    results[f"{name}_messages"] = len(labelled)
    _save(results, path)
    report.plot(results, path.with_suffix(".png"))
    print(report.table(results))
    return 0


def record_cv(results: Dict[str, Any], system: str, cv: Dict[str, Any], measured_at: str) -> None:
    """Put a separately measured CV into `results`; a re-run replaces it, never adds twice."""
    results["systems"][system]["cv"] = {**cv, "measured_separately": measured_at}
    listed = results.setdefault("cross_validated", [])
    if system not in listed:
        listed.append(system)


def _save(results: Dict[str, Any], out: Path) -> None:
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    sys.exit(main())
