"""`make bench --quick`: every part of the benchmark runs on a tiny sample (1 epoch), so
the code cannot rot between full runs. The figures mean nothing; their presence does.
The project's own model is the one `make train` built, and only it is served (training it
again, or serving both, would add minutes and no code: `rasa init`'s config still goes
through the benchmark's training and scoring steps)."""

import json
import subprocess
import sys

import pytest

from clinic.paths import REPO_ROOT
from ops.training import current_model


def test_quick_benchmark_writes_json_plot_and_table(tmp_path):
    out = tmp_path / "quick.json"
    model = current_model(REPO_ROOT)  # `make e2e` trains it first when the data changed
    if model is None:
        pytest.fail("No current model: run `make train` first (make e2e does).", pytrace=False)
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--project-model", str(model), "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["quick"] is True and results["heldout_messages"] == 24
    for name in ("project", "default", "baseline"):
        system = results["systems"][name]
        for key in ("topic_accuracy", "macro_f1", "in_scope_recall", "deflection", "confusion", "per_label_accuracy"):
            assert key in system["heldout"], (name, key)
    # Cross-validated as the full run does by default: the baseline and this project.
    assert results["cross_validated"] == ["baseline", "project"] and "cv" not in results["systems"]["default"]
    for name in ("project", "baseline"):
        cv = results["systems"][name]["cv"]
        assert cv["folds"] == 2 and cv["messages"] == 300
    assert results["systems"]["project"]["reused_model"] == str(model)
    assert results["systems"]["default"]["train_s"] > 0 and results["systems"]["baseline"]["train_s"] > 0
    assert "served" not in results["systems"]["default"]  # the smoke run serves one model
    served = results["systems"]["project"]["served"]
    assert served["ready_s"] > 0 and served["rasa_rss_mb"] > 100 and served["actions_rss_mb"] > 20
    modes = {(level["endpoint"], level["mode"], level["level"]) for level in served["levels"]}
    assert modes == {
        (e, m, level) for e in ("webhook", "parse") for m, level in (("closed", 1), ("closed", 2), ("open", 5))
    }
    assert all(level["errors"] == 0 and level["p50_ms"] > 0 for level in served["levels"])
    assert served["safety"]["red_flags"] + served["safety"]["ordinary"] == 12
    assert served["safety"]["red_flag_recall"] == 1.0  # every sampled red flag: 911 first
    assert out.with_suffix(".png").stat().st_size > 10_000
    assert "project / default" in result.stdout and "webhook saturation msg/s" in result.stdout
    assert "safety: red flags sent to the emergency number first" in result.stdout
