import pytest

from clinic.names import NameProblem, ValidName, parse_name


@pytest.mark.parametrize(
    "text, name",
    [
        ("Jane", "Jane"),
        ("jane doe", "Jane Doe"),
        ("my name is Tom Baker", "Tom Baker"),
        ("I'm Priya", "Priya"),
        ("it's Anne-Marie O'Neill", "Anne-Marie O'Neill"),
        ("call me Jo.", "Jo"),
        ("Carlos Ramírez", "Carlos Ramírez"),
        ("Zoë", "Zoë"),
        ("Ronald McDonald", "Ronald McDonald"),
    ],
)
def test_names(text, name):
    assert parse_name(text) == ValidName(name)


def test_a_single_person_entity_wins():
    assert parse_name("hello there, this is Maria Lopez speaking", ["Maria Lopez"]) == ValidName("Maria Lopez")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "yes",
        "what's the weather",
        "12345",
        "jane@example.com",
        "Jane 2",
        "a" * 81,
        "one two three four five six",
        "I don't want to say",
        "<script>",
    ],
)
def test_not_names_are_re_asked(text):
    assert isinstance(parse_name(text), NameProblem)
