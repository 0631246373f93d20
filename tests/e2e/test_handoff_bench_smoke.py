"""`python -m bench.handoff` on three visitors for a few seconds: the benchmark runs end to end with
the real servers and measures both directions. (The figures at this size mean little.)"""

import json

from bench import handoff


def test_handoff_bench_runs_and_measures_both_directions(tmp_path):
    import os

    before = {name: os.environ.get(name) for name in ("CLINIC_SETTINGS", "CLINIC_DB_URL", "TRACKER_DB_URL", "RASA_URL")}
    out = tmp_path / "handoff.json"
    handoff.main(["--visitors", "3", "--seconds", "10", "--poll", "1", "--out", str(out)])
    result = json.loads(out.read_text())
    for direction in ("staff_to_visitor", "visitor_to_staff"):
        figures = result[direction]
        assert figures["count"] >= 3, result
        assert 0 < figures["p50_s"] <= figures["p95_s"] < 5.0
    assert result["updates_request"]["count"] > 10
    assert set(result["other_visitor_p50_ms"]) == {"alone", "while_polling", "while_chatting"}
    after = {name: os.environ.get(name) for name in before}
    assert after == before  # nothing of the benchmark's temporary folder is left for later tests
