"""The benchmark's printed table and its plot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

SYSTEMS = ("project", "default", "baseline")
TITLES = {"project": "this project", "default": "rasa init default", "baseline": "TF-IDF + LogReg"}


def _ratio(a: Optional[float], b: Optional[float], higher_is_better: bool = True) -> str:
    if a is None or b is None or a == 0 or b == 0:
        return "-"
    return f"{a / b:.2f}x" if higher_is_better else f"{b / a:.2f}x better" if a < b else f"{a / b:.2f}x worse"


def _fmt(value: object, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if unit == "%":
            return f"{value:.1%}"
        return f"{value:.3f}" if unit == "f1" else f"{value:.1f}{unit}"
    return f"{value}{unit}"


def level(results: Dict[str, Any], system: str, endpoint: str, mode: str, value: float) -> Optional[Dict[str, Any]]:
    served = results["systems"].get(system, {}).get("served") or {}
    for entry in served.get("levels", []):
        if entry["endpoint"] == endpoint and entry["mode"] == mode and float(entry["level"]) == float(value):
            return dict(entry)
    return None


def saturation(results: Dict[str, Any], system: str, endpoint: str = "webhook") -> Optional[float]:
    served = results["systems"].get(system, {}).get("served") or {}
    rates = [
        e["throughput_msg_s"]
        for e in served.get("levels", [])
        if e["endpoint"] == endpoint and e["mode"] == "closed" and e["throughput_msg_s"]
    ]
    return max(rates) if rates else None


def blind_set_numbers(files: List[str]) -> str:
    """ "bench/safety_blind10.tsv", ... -> "10, 11, 14-35": which sets a run measured."""
    matches = (re.search(r"(\d+)\.tsv$", name) for name in files)
    numbers = sorted(int(match[1]) for match in matches if match)
    runs: List[List[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs)


def table(results: Dict[str, Any]) -> str:
    systems = results["systems"]
    rows: List[List[str]] = [["figure", *(TITLES[s] for s in SYSTEMS), "project / default", "project / baseline"]]

    def add(name: str, key_path: List[str], unit: str = "", higher_is_better: bool = True) -> None:
        values = []
        for system in SYSTEMS:
            value = systems.get(system, {})
            for key in key_path:
                value = value.get(key) if isinstance(value, dict) else None
            values.append(value)
        rows.append(
            [
                name,
                *(_fmt(v, unit) for v in values),
                _ratio(values[0], values[1], higher_is_better),
                _ratio(values[0], values[2], higher_is_better),
            ]
        )

    for key, name in (
        ("topic_accuracy", "held-out topic accuracy (best topic)"),
        ("first_reply_accuracy", "held-out right at the first reply"),
        ("after_one_click_accuracy", "held-out right after one click"),
        ("overall_accuracy", "held-out overall accuracy"),
        ("macro_f1", "held-out macro-F1"),
        ("in_scope_recall", "held-out in-scope recall"),
        ("in_scope_after_one_click", "held-out in-scope right after one click"),
        ("deflection", "held-out off-topic deflection"),
    ):
        add(name, ["heldout", key], "%" if key != "macro_f1" else "f1")
    for key_path, name in (
        (["heldout", "per_label_accuracy", "ask_beyond_article"], "held-out beyond-the-article declined"),
        (["heldout", "per_label_accuracy", "out_of_scope"], "held-out off-topic deflected"),
        *_fresh_set_rows(),
        (["other_domains", "all"], "other assistants' requests declined, all"),
        (["other_domains", "clinc150_test", "declined"], "  CLINC150 test split"),
        (["other_domains", "banking77_test", "declined"], "  Banking77 test split"),
        (["other_domains", "hwu64", "declined"], "  HWU64, a corpus never trained on"),
    ):
        add(name, key_path, "%")
    for key, name in (("topic_accuracy", "5-fold CV topic accuracy"), ("macro_f1", "5-fold CV macro-F1")):
        add(name, ["cv", key], "%" if key != "macro_f1" else "f1")
    for safety_set, label in (
        ("safety", "safety"),
        ("safety_blind", f"safety, kept-out blind sets {blind_set_numbers(results.get('safety_blind_files') or [])}"),
        ("safety_blind21", "safety, blind set 21"),
    ):
        for key, title in (
            ("red_flag_recall", "red flags sent to the emergency number first"),
            ("ordinary_right", "other worries given the clinic phone, not 911 first"),
            ("specificity", "specificity (worries not escalated)"),
        ):
            add(f"{label}: {title}", ["served", safety_set, key], "%")
    add("train time (s)", ["train_s"], "", False)
    add("ready after start (s)", ["served", "ready_s"], "", False)
    add("Rasa server RSS (MB)", ["served", "rasa_rss_mb"], "", False)
    add("action server RSS (MB)", ["served", "actions_rss_mb"], "", False)
    for endpoint in ("webhook", "parse"):
        for mode, value, label in (
            ("closed", 1, "1 conversation"),
            ("closed", 20, "20 conversations"),
            ("open", 20, "20 msg/s open"),
        ):
            for pct in ("p50_ms", "p95_ms", "p99_ms"):
                values = [(level(results, s, endpoint, mode, value) or {}).get(pct) for s in SYSTEMS]
                rows.append(
                    [
                        f"{endpoint} {pct[:3]} ms, {label}",
                        *(_fmt(v) for v in values),
                        _ratio(values[0], values[1], False),
                        "-",
                    ]
                )
        values = [saturation(results, s, endpoint) for s in SYSTEMS]
        rows.append([f"{endpoint} saturation msg/s", *(_fmt(v) for v in values), _ratio(values[0], values[1]), "-"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def plot(results: Dict[str, Any], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (latency_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(15, 5.5))
    for system, colour in (("project", "tab:blue"), ("default", "tab:orange")):
        served = results["systems"].get(system, {}).get("served") or {}
        closed = [e for e in served.get("levels", []) if e["endpoint"] == "webhook" and e["mode"] == "closed"]
        if closed:
            x = [e["level"] for e in closed]
            latency_axis.plot(x, [e["p50_ms"] for e in closed], "o-", color=colour, label=f"{TITLES[system]} p50")
            latency_axis.plot(x, [e["p95_ms"] for e in closed], "s--", color=colour, label=f"{TITLES[system]} p95")
    latency_axis.set(
        xlabel="concurrent conversations (closed loop)",
        ylabel="webhook latency (ms)",
        title="REST webhook latency against concurrency",
    )
    latency_axis.set_xscale("log")
    latency_axis.legend()
    latency_axis.grid(alpha=0.3)
    labels = sorted(
        {
            label
            for s in SYSTEMS
            for label in (results["systems"].get(s, {}).get("heldout") or {}).get("per_label_accuracy", {})
        }
    )
    width = 0.27
    for offset, (system, colour) in enumerate(
        (("project", "tab:blue"), ("default", "tab:orange"), ("baseline", "tab:gray"))
    ):
        per = (results["systems"].get(system, {}).get("heldout") or {}).get("per_label_accuracy", {})
        accuracy_axis.bar(
            [i + (offset - 1) * width for i in range(len(labels))],
            [per.get(label, 0) for label in labels],
            width,
            color=colour,
            label=TITLES[system],
        )
    accuracy_axis.set_xticks(range(len(labels)))
    accuracy_axis.set_xticklabels([label.replace("faq/", "") for label in labels], rotation=60, ha="right")
    accuracy_axis.set(ylabel="held-out accuracy", title="Accuracy per topic / intent (held-out)", ylim=(0, 1.05))
    accuracy_axis.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


FRESH_SETS = (
    ("heldout_fresh", "fresh set"),
    ("heldout_fresh2", "second fresh set"),
    ("heldout_fresh3", "third fresh set"),
    ("heldout_fresh4", "fourth fresh set"),
    ("heldout_fresh5", "fifth fresh set"),
    ("heldout_fresh6", "sixth fresh set"),
    ("heldout_fresh7", "seventh fresh set"),
    ("heldout_fresh8", "eighth fresh set"),
    ("heldout_fresh9", "ninth fresh set"),
    ("heldout_fresh10", "tenth fresh set"),
    ("heldout_fresh11", "eleventh fresh set"),
    ("heldout_fresh12", "twelfth fresh set"),
    ("heldout_fresh13", "thirteenth fresh set"),
    ("heldout_fresh14", "fourteenth fresh set"),
)


def _fresh_set_rows() -> List[Tuple[List[str], str]]:
    """The same seven figures for each fresh held-out set."""
    rows = []
    for key, name in FRESH_SETS:
        for path, figure in (
            (["topic_accuracy"], "topic accuracy (best topic)"),
            (["first_reply_accuracy"], "right at the first reply"),
            (["after_one_click_accuracy"], "right after one click"),
            (["in_scope_recall"], "in-scope recall"),
            (["in_scope_after_one_click"], "in-scope right after one click"),
            (["per_label_accuracy", "ask_beyond_article"], "beyond-the-article declined"),
            (["per_label_accuracy", "out_of_scope"], "off-topic deflected"),
        ):
            rows.append(([key, *path], f"{name} {figure}"))
    # No FAQ topics in it: only whether the question got the clinic's details.
    rows.append((["clinic_details", "in_scope_recall"], "clinic details (hours, address, phone) answered"))
    return rows
