import pytest

from clinic.triage import Urgency, assess_urgency, triage


@pytest.mark.parametrize(
    "report",
    [
        "I had microneedling yesterday and the bleeding won't stop",
        "heavy bleeding from my cheek after the session",
        "my face is bleeding a lot and I can't stop the bleeding",
        "I have a fever since my treatment",
        "feeling feverish and my skin is hot after micro needling",
        "the redness is spreading down my neck",
        "there are red streaks going from the treated area",
        "my lips are swelling up and I have trouble breathing",
        "I feel dizzy and fainted after the treatment",
        "this is an emergency, my skin is burning",
        "I think my face is infected, there is a yellow crust",  # signs of infection (issue 12)
    ],
)
def test_severe_signs_go_to_the_emergency_number(report):
    assert assess_urgency(report) is Urgency.EMERGENCY


@pytest.mark.parametrize(
    "report",
    [
        "a little bit of bleeding after my microneedling",
        "I have some bruising on my cheek after the treatment",
        "my skin is peeling three days after",
        "my skin is still red and itchy after the session",
        "",
    ],
)
def test_other_problems_go_to_the_clinic(report):
    assert assess_urgency(report) is Urgency.CALL_CLINIC


def test_a_vivid_image_said_to_be_settling_gets_the_clinic_not_911():
    """Blind sets 27, 32 and 38: the severity model read the image (0.82-0.92), not that it
    had passed. A report that says it is settling and nothing is getting worse needs 0.95."""
    for report in (
        "my face was hot like a radiator last night but this morning its only lukewarm and getting cooler by the hour",
        "the warmth was like sitting too close to the fire but its been fading all evening and nearly gone",
    ):
        assert triage(report, known_report=True).urgency is Urgency.CALL_CLINIC, report


def test_settling_words_beside_something_getting_worse_keep_the_usual_threshold():
    from clinic.triage import only_improving

    assert not only_improving("redness is fading but my face has been swelling more and more since the serum")
    assert not only_improving("pain keeps ramping up instead of calming down")
    assert only_improving("its fading now, way calmer today")
    report = "redness is fading but my face has been swelling more and more since i put the serum on this morning"
    assert triage(report, known_report=True).urgency is Urgency.EMERGENCY


def test_worse_in_the_past_does_not_stop_a_report_from_settling():
    from clinic.triage import only_improving

    assert only_improving("swelling was worse yesterday but its going down now, starting to look like me again")
    assert not only_improving("redness is fading but its starting to swell")


def test_bigger_in_the_past_does_not_stop_a_report_from_settling():
    """Blind set 47: "my puffiness under my eyes was bigger yesterday and is going down now"."""
    from clinic.triage import only_improving

    assert only_improving("my puffiness under my eyes was bigger yesterday and is going down now")
    assert not only_improving("the redness is fading on my cheek but the patch on my neck is bigger")


def test_faded_and_subsided_are_settling_but_went_down_may_be_a_fall():
    """Blind set 50: "the warmth has faded steadily" was not read as settling, so the model's
    0.73 sent an ordinary worry to 911; "nearly went down in the car park" is a faint."""
    from clinic.triage import only_improving

    assert only_improving("my cheeks were quite warm, but the warmth has faded steadily since")
    assert only_improving("the swelling has subsided")
    assert not only_improving("my wife nearly went down in the car park, went grey and sweaty")
    report = (
        "Dear Clinic, my cheeks were quite warm the evening after my treatment, but the warmth has faded "
        "steadily and this morning they are just a touch warmer than my hands. No fever."
    )
    assert triage(report, known_report=True).urgency is Urgency.CALL_CLINIC


def test_redness_at_half_what_it_was_is_settling():
    """Blind set 61: "the redness is half what it was. My partner keeps saying go to A&E" got
    911 first from the model alone (0.93)."""
    from clinic.triage import only_improving

    report = (
        "Its 38 hours since my treatment and the redness is half what it was. My partner keeps saying "
        "go to A&E, I say hes overreacting. Who's right?"
    )
    assert only_improving(report)
    assert triage(report, known_report=True).urgency is Urgency.CALL_CLINIC
