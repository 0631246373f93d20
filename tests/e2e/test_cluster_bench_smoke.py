"""`python -m bench.cluster --quick`: the cluster benchmark runs end to end with real clusters
(1 and 2 Rasa servers behind nginx) and one long conversation with the window off and on.
At this size the figures mean little; that they are measured and written is the point."""

import json

from bench import cluster


def test_cluster_bench_runs_and_writes_every_figure(tmp_path, capsys):
    out = tmp_path / "cluster.json"
    assert cluster.main(["--quick", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    windows = [run["window"] for run in result["long_conversation"]]
    assert windows == [0, 60]
    for run in result["long_conversation"]:
        assert run["medians_ms"]["1-20"] > 0 and run["ratio_last_to_10th"] > 0
    assert set(result["systems"]) == {"project-1", "project-2"}
    for system in result["systems"].values():
        assert system["best_msg_per_s"] > 0
        assert system["open_loop"]["errors"] == 0 and system["open_loop"]["p95_ms"] > 0
    assert "msg/s" in capsys.readouterr().out
