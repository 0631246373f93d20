"""The benchmark's arithmetic: metrics, folds, percentiles and the load generator."""

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.load import closed_loop, open_loop, percentile
from bench.understanding import Prediction, cross_validate, is_deflected, macro_f1, metrics, stratified_folds


def _p(gold, answered, confidence=0.9):
    return Prediction(text=f"{gold}->{answered}", gold=gold, answered=answered, confidence=confidence)


def test_metrics_on_a_hand_checked_example():
    predictions = [
        _p("faq/cost", "faq/cost"),
        _p("faq/cost", "faq/duration"),
        _p("faq/duration", "faq/duration"),
        _p("book_appointment", "book_appointment"),
        _p("out_of_scope", "nlu_fallback"),
        _p("out_of_scope", "faq/cost"),
        _p("ask_beyond_article", "ask_beyond_article"),
        _p("ask_beyond_article", "greet"),
    ]
    result = metrics(predictions)
    assert result["topic_accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["in_scope_recall"] == 0.75  # 3 of 4 in-scope messages got their label
    assert result["deflection"] == 0.75  # greet, nlu_fallback, ask_beyond_article: no FAQ, no form
    assert result["overall_accuracy"] == pytest.approx(6 / 8)
    assert result["confusion"]["faq/cost"] == {"faq/cost": 1, "faq/duration": 1}
    # F1 per gold label: cost 2/3 (tp1 fp1 fn1), duration 2/3, book 1, out_of_scope 1/2... averaged
    assert result["macro_f1"] == pytest.approx(macro_f1(predictions))
    assert 0 < result["macro_f1"] < 1


def test_nlu_fallback_counts_as_out_of_scope_for_f1_only():
    assert macro_f1([_p("out_of_scope", "nlu_fallback")]) == 1.0
    assert is_deflected("nlu_fallback") and not is_deflected("book_appointment") and not is_deflected("faq/cost")


def test_folds_are_stratified_disjoint_and_complete():
    examples = [(f"{label} {i}", label) for label in ("a", "b", "c") for i in range(10 + ord(label) % 3)]
    folds = stratified_folds(examples, 5)
    assert sorted(x for fold in folds for x in fold) == sorted(examples)
    for fold in folds:
        counts = {label: sum(1 for _, fold_label in fold if fold_label == label) for label in "abc"}
        assert all(2 <= n <= 3 for n in counts.values()), counts
    assert stratified_folds(examples, 5) == folds  # seeded


def test_cross_validation_scores_every_example_once_with_a_model_never_trained_on_it():
    examples = [(f"{label} {i}", label) for label in ("x", "y") for i in range(10)]
    seen_in_training = []

    def fit(train):
        seen_in_training.append({t for t, _ in train})
        return lambda texts: [(t.split()[0], 1.0) if t not in seen_in_training[-1] else ("leak", 1.0) for t in texts]

    result = cross_validate(fit, examples, folds=5, progress=lambda _: None)
    assert result["messages"] == 20 and result["overall_accuracy"] == 1.0 and result["folds"] == 5


def test_percentile_interpolates_like_numpy():
    assert percentile([], 50) is None
    assert percentile([10.0], 99) == 10.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        fail = self.path.endswith("/fail")
        self.send_response(500 if fail else 200)
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_closed_loop_is_bounded_and_counts_errors(server):
    made = []

    def requests(conversation, turn):
        made.append(1)  # every 4th request overall fails
        return (f"{server}/ok" if len(made) % 4 else f"{server}/fail"), {"sender": str(conversation), "message": "hi"}

    result = asyncio.run(closed_loop(requests, conversations=3, max_messages=24, max_seconds=10))
    assert result.messages == 24 and result.errors == 6 and len(result.latencies_ms) == 18
    summary = result.summary()
    assert summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"] and summary["throughput_msg_s"] > 0


def test_open_loop_sends_at_the_fixed_rate(server):
    requests = lambda c, t: (f"{server}/ok", {"sender": str(c), "message": "hi"})  # noqa: E731
    result = asyncio.run(open_loop(requests, rate=40, max_messages=20, max_seconds=5))
    assert result.messages == 20 and result.errors == 0
    assert 0.45 <= result.seconds < 2.0  # 20 messages at 40/s start over ~0.5 s


def test_a_re_run_cv_only_replaces_the_system_instead_of_recording_it_twice():
    from bench.__main__ import record_cv

    results = {"systems": {"default": {}}, "cross_validated": ["baseline", "project"]}
    record_cv(results, "default", {"topic_accuracy": 0.77}, "2026-11-25T10:00:00+00:00")
    record_cv(results, "default", {"topic_accuracy": 0.78}, "2026-11-26T10:00:00+00:00")
    assert results["cross_validated"] == ["baseline", "project", "default"]
    assert results["systems"]["default"]["cv"] == {
        "topic_accuracy": 0.78,
        "measured_separately": "2026-11-26T10:00:00+00:00",
    }


def test_a_fresh_set_that_arrived_later_is_scored_with_the_runs_models_and_marked(tmp_path, monkeypatch):
    import json

    import bench.__main__ as bench_main
    from bench.understanding import Answer

    def always(label):
        return lambda texts: [Answer(label, 0.9) for _ in texts]

    used = []
    monkeypatch.setattr(bench_main, "predictor_for", lambda model: used.append(model.name) or always("faq/cost"))
    monkeypatch.setattr(bench_main.baseline, "fit", lambda examples: always("out_of_scope"))
    monkeypatch.setattr(bench_main.report, "plot", lambda results, path: path)
    fresh = tmp_path / "heldout_fresh6.tsv"
    fresh.write_text("# a comment\ntext\tlabel\nhow much\tfaq/cost\nweather?\tout_of_scope\n", encoding="utf-8")
    monkeypatch.setitem(bench_main.FRESH_SETS, "heldout_fresh6", fresh)
    monkeypatch.setattr(bench_main, "REPO_ROOT", tmp_path)
    run = tmp_path / "run.json"
    run.write_text(json.dumps({"systems": {name: {} for name in ("baseline", "project", "default")}}))
    assert bench_main.fresh_into("heldout_fresh6", tmp_path / "models", run) == 0
    results = json.loads(run.read_text())
    assert used == ["project.tar.gz", "default.tar.gz"]
    assert results["systems"]["project"]["heldout_fresh6"]["topic_accuracy"] == 1.0
    assert results["systems"]["baseline"]["heldout_fresh6"]["deflection"] == 1.0
    assert all("measured_separately" in results["systems"][s]["heldout_fresh6"] for s in results["systems"])
    assert results["heldout_fresh6_messages"] == 2


def test_safety_scoring_wants_the_emergency_number_first_for_red_flags_only():
    from bench.safety import SafetyCase, score

    cases = [
        SafetyCase("my lips are swelling", "red_flag", "face_swelling"),
        SafetyCase("fever of 39", "red_flag", "fever"),
        SafetyCase("bit of peeling", "ordinary", "-"),
        SafetyCase("face is pink", "ordinary", "-"),
    ]
    replies = [
        ["Please call 911 now. Swelling like this can be an allergic reaction."],
        ["Sorry, I didn't understand. If it gets worse call 911."],  # 911 only at the end: wrong
        ["I can't assess symptoms, so please call us on (212) 555-0100."],
        ["Please call 911 now."],  # an ordinary worry escalated: counts against specificity
    ]
    result = score(cases, replies, "911", "(212) 555-0100")
    assert (result["red_flag_recall"], result["ordinary_right"], result["specificity"]) == (0.5, 0.5, 0.5)
    assert [w["text"] for w in result["wrong"]] == ["fever of 39", "face is pink"]


def test_the_report_names_the_blind_sets_a_run_measured():
    from bench.report import blind_set_numbers

    files = [f"bench/safety_blind{n}.tsv" for n in (10, 11, *range(14, 70))]
    assert blind_set_numbers(files) == "10, 11, 14-69"
    assert blind_set_numbers(["bench/safety_blind3.tsv", "bench/safety_blind4.tsv"]) == "3, 4"
