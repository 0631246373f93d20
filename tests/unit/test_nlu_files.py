import yaml

from training_data.nlu_files import append_examples, normalise, read_blocks

NLU = """version: "3.1"
# a comment staff wrote
nlu:
- intent: faq/cost
  examples: |
    - how much is it
    - price?
- intent: greet
  examples: |
    - hi
    - [Anna](PERSON) here
"""


def test_blocks_know_their_examples_and_lines(tmp_path):
    path = tmp_path / "nlu.yml"
    path.write_text(NLU)
    blocks = read_blocks(path)
    assert [(b.intent, b.line, [e.line for e in b.examples]) for b in blocks] == [
        ("faq/cost", 4, [6, 7]),
        ("greet", 8, [10, 11]),
    ]
    assert blocks[1].examples[1].plain == "Anna here"


def test_append_keeps_formatting_and_places_examples_in_their_block(tmp_path):
    path = tmp_path / "nlu.yml"
    path.write_text(NLU)
    append_examples(read_blocks(path)[0], ["is it covered by insurance", "cost: roughly?"])
    text = path.read_text()
    assert text.startswith('version: "3.1"\n# a comment staff wrote\n')
    assert "    - price?\n    - is it covered by insurance\n    - cost: roughly?\n- intent: greet" in text
    parsed = yaml.safe_load(text)["nlu"]
    assert parsed[0]["examples"].splitlines()[-1] == "- cost: roughly?"
    assert parsed[1]["examples"] == "- hi\n- [Anna](PERSON) here\n"


def test_append_to_last_block_without_trailing_newline(tmp_path):
    path = tmp_path / "nlu.yml"
    path.write_text(NLU.rstrip("\n"))
    append_examples(read_blocks(path)[1], ["hello there"])
    assert path.read_text().endswith("    - [Anna](PERSON) here\n    - hello there\n")


def test_normalise_ignores_case_spacing_end_punctuation_and_annotations():
    assert normalise("  How MUCH  is it?? ") == normalise("how much is it") == "how much is it"
    assert normalise("[Anna](PERSON) here") == "anna here"
