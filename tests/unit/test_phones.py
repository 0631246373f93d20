import pytest

from clinic.phones import PhoneProblem, ValidPhone, example_number, parse_phone


@pytest.mark.parametrize(
    "text, region, e164",
    [
        ("(212) 555 0123", "US", "+12125550123"),
        ("212-555-0123", "US", "+12125550123"),
        ("2125550123", "US", "+12125550123"),
        ("call me on 212.555.0123 please", "US", "+12125550123"),
        ("+44 20 7946 0958", "US", "+442079460958"),  # a foreign number written in full
        ("020 7946 0958", "GB", "+442079460958"),
    ],
)
def test_valid_numbers_become_e164(text, region, e164):
    assert parse_phone(text, region) == ValidPhone(e164)


@pytest.mark.parametrize(
    "text, code",
    [
        ("", "phone_empty"),
        ("   ", "phone_empty"),
        ("no thanks", "phone_no_digits"),
        ("12345", "phone_invalid"),
        ("555 0123", "phone_invalid"),
        ("000 000 0000", "phone_invalid"),
    ],
)
def test_bad_numbers_get_a_reason(text, code):
    assert parse_phone(text, "US") == PhoneProblem(code)


def test_example_is_in_the_region_format():
    assert example_number("US").startswith("(")
