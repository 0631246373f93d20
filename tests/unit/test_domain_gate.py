"""The domain's edge: the domain model (plain scikit-learn) and the DomainGate component."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Dict, List

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic import text_features
from clinic.paths import REPO_ROOT
from components import domain_model, model_files, sentence_encoder
from components.domain_gate import DOMAIN_KEY, MEANING_KEY, DomainGate

CLINIC = [
    "what is micro-needling",
    "how long does the treatment take",
    "does micro needling hurt",
    "how much does a session cost",
    "can i book an appointment for friday",
    "will it help my acne scars",
    "what should i avoid before my treatment",
    "is there downtime after microneedling",
    "can I have it if I am pregnant",
    "how many sessions until my skin improves",
]
OTHERS = [
    "set a timer for four minutes",
    "how do you say please in french",
    "what is my account balance",
    "book a flight to boston",
    "play some jazz",
    "what's the weather tomorrow",
    "transfer money to my savings",
    "tell me a joke",
    "turn off the kitchen lights",
    "remind me to call mom",
]


def _corpus(tmp_path: Path, texts: List[str], name: str = "others.tsv") -> Path:
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("# a test corpus\n")
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["text", "intent"])
        writer.writerows([(text, "other") for text in texts])
    return path


def test_the_model_tells_the_clinic_from_other_assistants_requests():
    model = domain_model.fit(CLINIC, OTHERS, c=10.0)
    clinic, others = domain_model.in_domain_probability(model, ["does the needling hurt", "set an alarm for 7"])
    assert clinic > 0.5 > others


def test_a_corpus_without_a_text_column_or_missing_is_refused(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("words\tintent\nhello\tgreet\n", encoding="utf-8")
    with pytest.raises(domain_model.CorpusError, match="text"):
        domain_model.read_corpus(bad)
    with pytest.raises(domain_model.CorpusError, match="not found"):
        domain_model.read_corpus(tmp_path / "absent.tsv")


def test_the_digest_changes_with_a_corpus_so_rasa_retrains_the_gate(tmp_path):
    path = _corpus(tmp_path, OTHERS)
    before = model_files.file_digest([path])
    _corpus(tmp_path, [*OTHERS, "what time is it"])
    assert model_files.file_digest([path]) != before
    assert DomainGate.fingerprint_addon({"negatives": [str(path)]}) == model_files.file_digest(
        [path, Path(domain_model.__file__), Path(text_features.__file__), Path(sentence_encoder.__file__)]
    )


def test_training_needs_both_kinds():
    with pytest.raises(ValueError):
        domain_model.fit(CLINIC, [])


@pytest.fixture()
def gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DomainGate:
    monkeypatch.setattr(sentence_encoder, "VECTOR_CACHE_DIR", tmp_path / "vectors")
    config = {**DomainGate.get_default_config(), "negatives": [str(_corpus(tmp_path, OTHERS))]}
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("domain_gate")
    component = DomainGate(config, storage, resource)
    examples = [Message({TEXT: t, INTENT: "faq" if "book" not in t else "book_appointment"}) for t in CLINIC]
    examples += [Message({TEXT: "who won the football", INTENT: "out_of_scope"})]
    examples += [Message({TEXT: "hi", INTENT: "greet"})]
    component.train(TrainingData(examples))
    # What `rasa run` does: load the trained gate back from the model storage.
    return DomainGate.load(config, storage, resource, None)  # type: ignore[arg-type]


def _parsed(text: str, intent: str, confidence: float = 0.97) -> Message:
    guess = {"name": intent, "confidence": confidence}
    return Message({TEXT: text, INTENT: guess, INTENT_RANKING_KEY: [guess]})


def test_an_other_assistants_request_guessed_as_a_topic_becomes_out_of_scope(gate):
    (message,) = gate.process([_parsed("set a timer for 4 minutes", "faq")])
    assert message.get(INTENT)["name"] == "out_of_scope"
    assert message.get(INTENT)["confidence"] > 0.5  # above the FallbackClassifier's threshold
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["out_of_scope"]
    assert message.get(DOMAIN_KEY) < 0.3


def test_a_clinic_question_keeps_its_topic_and_its_score_is_reported(gate):
    (message,) = gate.process([_parsed("how long does the micro-needling treatment take", "faq")])
    assert message.get(INTENT)["name"] == "faq"
    assert message.get(DOMAIN_KEY) >= 0.3


@pytest.mark.parametrize("intent", ["report_symptom", "inform", "greet", "request_human", "affirm"])
def test_only_a_faq_answer_or_the_booking_form_is_ever_overruled(gate, intent):
    (message,) = gate.process([_parsed("play some jazz in the kitchen", intent)])
    assert message.get(INTENT)["name"] == intent
    assert message.get(DOMAIN_KEY) is None


def test_a_weak_guess_is_overruled_only_when_clearly_elsewhere(tmp_path):
    """Below the FallbackClassifier's threshold a guess becomes nlu_fallback anyway, which
    the booking form can still take as an answer ("Faulty Tester" at the name question);
    out_of_scope would make it refuse one. Only a clear other-domain request is overruled."""
    gate = DomainGate({"threshold": 0.3, "weak_threshold": 0.1, "min_confidence": 0.5}, None, None)  # type: ignore[arg-type]
    gate._model = _FixedModel(0.2)  # like a name: not clearly the clinic's, not clearly elsewhere
    (name,) = gate.process([_parsed("Faulty Tester", "faq", confidence=0.3)])
    assert name.get(INTENT)["name"] == "faq" and name.get(DOMAIN_KEY) == 0.2
    (confident,) = gate.process([_parsed("Faulty Tester", "faq", confidence=0.9)])
    assert confident.get(INTENT)["name"] == "out_of_scope"
    gate._model = _FixedModel(0.05)
    (timer,) = gate.process([_parsed("set a 4 minute timer", "faq", confidence=0.3)])
    assert timer.get(INTENT)["name"] == "out_of_scope"


class _FixedModel:
    """Stands in for the trained pipeline: every text gets the same in-domain probability."""

    def __init__(self, probability: float) -> None:
        self.probability = probability

    def predict_proba(self, texts):
        import numpy

        return numpy.array([[1 - self.probability, self.probability] for _ in texts])


class _Vectors:
    """Stands in for the sentence encoder: a text's vector says which side it is on."""

    def __call__(self, texts):
        import numpy

        return numpy.array([[1.0, 0.0] if "taxi" not in t else [0.0, 1.0] for t in texts], dtype=numpy.float32)


def _two_sided_model(sparse_probability: float) -> domain_model.DomainModel:
    import numpy

    vectors = (numpy.array([[1.0, 0.0]] * 3, dtype=numpy.float32), numpy.array([[0.0, 1.0]] * 3, dtype=numpy.float32))
    model = domain_model.fit(CLINIC[:3], OTHERS[:3], vectors=vectors, unsure_below=0.5, elsewhere_below=0.3)
    model.sparse = _FixedModel(sparse_probability)  # type: ignore[assignment]
    return model


def test_sentence_vectors_decline_what_the_ngrams_are_unsure_of_and_find_elsewhere():
    gate = DomainGate(DomainGate.get_default_config(), None, None)  # type: ignore[arg-type]
    gate._encode = _Vectors()
    gate._model = _two_sided_model(0.4)  # unsure, above the n-gram threshold
    (taxi,) = gate.process([_parsed("book a taxi for tomorrow", "book_appointment")])
    assert taxi.get(INTENT)["name"] == "out_of_scope" and taxi.get(INTENT)["confidence"] > 0.7
    assert taxi.get(MEANING_KEY) < 0.3 and taxi.get(DOMAIN_KEY) == 0.4
    (visit,) = gate.process([_parsed("book me in for friday", "book_appointment")])
    assert visit.get(INTENT)["name"] == "book_appointment" and visit.get(MEANING_KEY) is None


def test_sentence_vectors_are_not_asked_when_the_ngrams_are_sure_or_the_guess_is_weak():
    gate = DomainGate(DomainGate.get_default_config(), None, None)  # type: ignore[arg-type]
    gate._encode = _Vectors()
    gate._model = _two_sided_model(0.8)  # the n-grams are sure it is the clinic's
    (sure,) = gate.process([_parsed("book a taxi to the clinic", "book_appointment")])
    assert sure.get(INTENT)["name"] == "book_appointment"
    gate._model = _two_sided_model(0.4)
    (weak,) = gate.process([_parsed("taxi driver", "faq", confidence=0.3)])  # a name at the form's question
    assert weak.get(INTENT)["name"] == "faq"


def test_the_trained_gate_uses_the_real_sentence_encoder(tmp_path, monkeypatch):
    """Trained and loaded as `rasa train` and `rasa run` do, with all-MiniLM-L6-v2."""
    monkeypatch.setattr(sentence_encoder, "VECTOR_CACHE_DIR", tmp_path / "vectors")
    config = {**DomainGate.get_default_config(), "negatives": [str(_corpus(tmp_path, OTHERS))]}
    (tmp_path / "storage").mkdir()
    storage, resource = LocalModelStorage(tmp_path / "storage"), Resource("domain_gate")
    examples = [Message({TEXT: t, INTENT: "faq"}) for t in CLINIC]
    DomainGate(config, storage, resource).train(TrainingData(examples))
    assert list((tmp_path / "vectors").glob("*.npy")), "the corpus's vectors are kept for the next training"
    loaded = DomainGate.load(config, storage, resource, None)  # type: ignore[arg-type]
    assert isinstance(loaded._model, domain_model.DomainModel) and loaded._model.dense is not None
    assert loaded._encode is not None


def test_kept_sentence_vectors_are_the_computed_ones_and_a_bad_file_is_recomputed(tmp_path):
    import numpy

    class Counting:
        calls = 0

        def encode(self, texts, batch_size=64):
            Counting.calls += 1
            return numpy.full((len(texts), sentence_encoder.DIMENSIONS), 0.5, dtype=numpy.float32)

    first = sentence_encoder.encode_with_cache(Counting(), ["a", "b"], tmp_path)  # type: ignore[arg-type]
    again = sentence_encoder.encode_with_cache(Counting(), ["a", "b"], tmp_path)  # type: ignore[arg-type]
    assert Counting.calls == 1 and numpy.array_equal(first, again)
    (kept,) = tmp_path.glob("*.npy")
    kept.write_bytes(b"not an array")
    sentence_encoder.encode_with_cache(Counting(), ["a", "b"], tmp_path)  # type: ignore[arg-type]
    assert Counting.calls == 2
    sentence_encoder.encode_with_cache(Counting(), ["a", "c"], tmp_path)  # type: ignore[arg-type]
    assert Counting.calls == 3  # other texts, other vectors


def test_button_commands_pass_untouched(gate):
    (message,) = gate.process([_parsed("/book_appointment", "book_appointment")])
    assert message.get(INTENT)["name"] == "book_appointment"


def _rows(path: Path) -> List[Dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def test_the_measured_corpora_share_no_text_with_the_gates_training_corpora():
    """bench/other_domains.py measures on texts the gate never trained on."""
    trained = {
        _norm(row["text"]) for name in DomainGate.get_default_config()["negatives"] for row in _rows(REPO_ROOT / name)
    }
    for name in ("clinc150_test.tsv", "banking77_test.tsv", "hwu64.tsv"):
        rows = _rows(REPO_ROOT / "corpora" / name)
        assert len(rows) > 3000
        assert [r["text"] for r in rows if _norm(r["text"]) in trained][:5] == []


def test_hwu64_is_not_a_training_corpus_and_every_corpus_names_its_licence():
    assert not any("hwu64" in name for name in DomainGate.get_default_config()["negatives"])
    readme = (REPO_ROOT / "corpora" / "README.md").read_text(encoding="utf-8")
    for path in (REPO_ROOT / "corpora").glob("*.tsv"):
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        licensed = any(licence in first_line for licence in ("CC BY", "CC0", "written for this project"))
        assert first_line.startswith("# ") and licensed
        assert path.name in readme


def test_restaurant_bookings_are_not_negatives():
    """ "book me in please" is the clinic's own booking wish: SNIPS's BookRestaurant would teach
    the gate to decline it, so it is left out of the corpus (scripts/import_corpora.py)."""
    intents = {row["intent"] for row in _rows(REPO_ROOT / "corpora" / "snips_train.tsv")}
    assert "corpora/snips_train.tsv" in DomainGate.get_default_config()["negatives"]
    assert "BookRestaurant" not in intents and len(intents) == 6
