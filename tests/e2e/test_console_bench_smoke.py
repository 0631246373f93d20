"""`python -m bench.console` on a tiny seed: the console benchmark runs end to end and writes its
figures. The numbers mean little at this size; that the run works and measures does."""

import json

from bench import console as console_bench


def test_console_bench_runs_and_writes_figures(tmp_path):
    out = tmp_path / "console.json"
    code = console_bench.main(["--conversations", "200", "--bookings", "50", "--requests", "3", "--out", str(out)])
    assert code == 0
    results = json.loads(out.read_text())
    assert results["seed"]["conversations"] == 200 and results["seed"]["bookings"] == 50
    for page in ("/bookings", "/reports"):
        figures = results["pages"][page]
        assert figures["samples"] == 3 and figures["errors"] == 0
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
        assert figures["target_ms"] == 300 and figures["pass"] is True
    assert results["passed"] is True
