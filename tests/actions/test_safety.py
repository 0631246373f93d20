import asyncio

import pytest

from actions.safety import ActionSymptomAdvice


@pytest.mark.parametrize(
    "report, must_say",
    [
        (
            "I have some bruising after my microneedling",
            "Please call your doctor or Clearview Skin Clinic now on (212) 555-0100",
        ),
        ("my skin is peeling after the treatment", "Please call your doctor"),
        ("I had it done on monday and now I have a fever", "please call 911 now"),
        ("the bleeding won't stop after my session", "please call 911 now"),
    ],
)
def test_symptom_report_gets_the_right_call_to_action(dispatcher, make_tracker, report, must_say):
    events = asyncio.run(ActionSymptomAdvice().run(dispatcher, make_tracker(report, "report_symptom"), {}))
    assert events == []
    [message] = dispatcher.messages
    assert must_say in message["text"]
    # Never a reassurance that the symptom is fine.
    assert "normal" not in message["text"].replace("whether this is normal", "")
