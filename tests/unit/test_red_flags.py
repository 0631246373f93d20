"""The red-flag matcher: each sign, typos, negation, temperatures, words far apart."""

import csv
from pathlib import Path

import pytest

from clinic.red_flags import (
    RedFlagsError,
    fever_temperature,
    find_red_flags,
    load_other_words,
    load_signs,
    parse_sign,
    readings_in_words,
)
from clinic.triage import (
    Urgency,
    assess_urgency,
    is_after_treatment_report,
    is_general_question,
    speaks_of_own_treatment,
    triage,
)


def keys(text):
    return {flag.key for flag in find_red_flags(text)}


@pytest.mark.parametrize(
    "text, sign",
    [
        ("i have a fever since my treatment", "fever"),
        ("got the chills and shivering last night", "fever"),
        ("there is pus coming out of a spot on my chin", "pus"),
        ("my cheek is oozing clear stuff", "oozing"),
        ("the skin is weeping where they did it", "oozing"),
        ("the redness is spreading down my neck", "spreading_redness"),
        ("red streaks going from my jaw", "spreading_redness"),
        ("my lips are swollen after the session", "face_swelling"),
        ("my tongue feels big and weird", "face_swelling"),
        ("i can't breathe properly", "breathing"),
        ("hard to swallow since this morning", "breathing"),
        ("got hives after the serum", "hives"),
        ("the bleeding won't stop", "bleeding_wont_stop"),
        ("heavy bleeding from my forehead", "bleeding_wont_stop"),
        ("the pain is unbearable", "severe_pain"),
        ("my face hurts more and more every day", "severe_pain"),
        ("there are blisters on my cheek", "blisters"),
        ("it looks burnt, like a chemical burn", "blisters"),
        ("my vision is blurry in one eye", "vision"),
        ("i feel dizzy and lightheaded", "faint_confused"),
        ("my mum seems confused since her treatment", "faint_confused"),
        ("this is an emergency", "says_emergency"),
    ],
)
def test_each_sign_is_found(text, sign):
    assert sign in keys(text)


@pytest.mark.parametrize(
    "text, sign",
    [
        ("i have a fevr", "fever"),
        ("ther is puss on my cheek", "pus"),
        ("my lips are swolen", "face_swelling"),
        ("the bleding wont stop", "bleeding_wont_stop"),
        ("i have blistres on my face", "blisters"),
        ("feeling dizy", "faint_confused"),
        ("my skin is oozng", "oozing"),
        ("the redness is spreding", "spreading_redness"),
    ],
)
def test_typos_are_read(text, sign):
    assert sign in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "temp is 38.6",
        "101.8",
        "it's 101.8 and i feel awful",
        "38.5c",
        "temperature of 39",
        "102 F",
        "thermometer says 100.9",
        "39 degrees",
        "38,4 °C",
    ],
)
def test_temperatures_over_38c_or_100_4f_are_fever(text):
    assert "fever" in keys(text), text


@pytest.mark.parametrize(
    "text",
    [
        "temp is 37.2",
        "98.6 so normal",
        "temperature 36.8",
        "had it done 38 days ago",
        "i'm 38 and this is my first time",
        "my temp is not 38",
        "3 days after",
        "please set the oven to 350 f",
    ],
)
def test_normal_temperatures_and_other_numbers_are_not(text):
    assert "fever" not in keys(text), text
    assert fever_temperature(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "no fever, just peeling",
        "not bleeding anymore",
        "there's no pus at all",
        "i don't have a fever",
        "without any swelling of my lips",
        "never had chills",
        "i dont think its infected, just dry",
    ],
)
def test_negated_signs_do_not_count(text):
    assert keys(text) == set(), text


@pytest.mark.parametrize(
    "text, sign",
    [
        ("no, i do have a fever", "fever"),  # the "no" ends its clause
        ("no pain but there is pus", "pus"),  # "but" starts a new clause
        ("not sure if it's a fever but i feel hot", "fever"),  # doubt is not denial
        ("no idea why but my lips are swollen", "face_swelling"),
    ],
)
def test_negation_stops_at_its_clause_and_doubt_still_counts(text, sign):
    assert sign in keys(text)


def test_words_far_apart_in_a_long_message_still_match():
    long_report = (
        "so i had the treatment on tuesday and the nurse was lovely, i went home and did everything on the "
        "sheet, washed with the gentle cleanser, no makeup, slept on my back, and this morning there was some "
        "blood on the pillow which i expected, but it has been going since breakfast and honestly it just "
        "won't stop no matter what i do"
    )
    assert "bleeding_wont_stop" in keys(long_report)


@pytest.mark.parametrize(
    "text",
    [
        "my skin is a bit red like a sunburn",
        "a little peeling on my nose",
        "small bumps on my forehead",
        "some pinpoint bleeding that stopped after an hour",
        "my face feels tight and dry",
        "a bit puffy under my eyes",
        "can i put makeup on now, my face is still pink",
        "some bruising on my cheek",
    ],
)
def test_ordinary_worries_are_not_red_flags(text):
    assert keys(text) == set(), text
    assert assess_urgency(text) is Urgency.CALL_CLINIC


@pytest.mark.parametrize(
    "text, general",
    [
        ("can it cause an infection", True),
        ("could I get an infection from it", True),
        ("what are the risks of bleeding", True),
        ("i have an infection after my session, can you help", False),
        ("is it normal my face is swollen since yesterday", False),
        ("my daughter has a fever after her treatment", False),
    ],
)
def test_general_questions_are_told_apart_from_reports(text, general):
    assert is_general_question(text) is general


def test_the_clinics_own_red_flags_are_added():
    own = parse_sign("numb_lips", {"sign": "Numb lips", "why": "Needs a clinician.", "phrasings": ["numb lips"]})
    assert triage("my numb lips worry me", [own]).urgency is Urgency.EMERGENCY
    assert triage("my numb lips worry me").urgency is Urgency.CALL_CLINIC


def test_a_malformed_entry_is_refused_with_its_name(tmp_path):
    path = tmp_path / "red_flags.yml"
    path.write_text("signs:\n  fever:\n    sign: Fever\n")
    with pytest.raises(RedFlagsError, match="sign 'fever' needs a `sign` and a `why`"):
        load_signs(path)


def test_every_sign_in_the_file_has_a_reason_a_visitor_can_read():
    for sign in load_signs():
        assert sign.why.endswith(".") and len(sign.why.split()) >= 5, sign.key


def test_the_readme_lists_every_red_flag_with_its_reason_for_sign_off():
    from clinic.paths import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text()
    for sign in load_signs():
        assert f"| {sign.sign} | `{sign.key}` | {sign.why} |" in readme, sign.key


@pytest.mark.parametrize(
    "text",
    [
        "I faint at the sight of needles, is the treatment itself painful",
        "will it cause blisters?",
        "does micro-needling make you bleed a lot",
    ],
)
def test_questions_before_a_treatment_are_not_reports(text):
    assert is_general_question(text)


@pytest.mark.parametrize(
    "text, report",
    [
        ("had it done yesterday and my chin is flaking, is that ok", True),
        ("my sunscreen stings a little on the treated skin is that ok", True),  # blind set 6
        ("micro needling thurs, light bruising on my temples, doesnt hurt", True),
        ("my session on tuesday left my nose a bit rough", True),
        ("my face is still pink from the session, can i wear concealer", True),
        ("day 3 and my cheeks look worse than before", True),
        ("i look like a tomato lol", True),
        ("how long will my face be red", False),  # a question about the article, before a treatment
        ("will my skin be irritated after", False),
        ("i have a wedding in 5 days, will i still be red", False),
        ("can it do anything about my old acne marks on my back", False),
        ("I have an open sore, can I still get it done", False),  # a contraindication question
    ],
)
def test_after_treatment_worries_are_told_apart_from_questions_about_the_article(text, report):
    from clinic.triage import is_after_treatment_report

    assert is_after_treatment_report(text) is report


def test_every_report_of_the_tuning_set_is_sorted_right():
    """120 reports from a separate writer (60 red flags, 60 ordinary worries), used to tune
    red_flags.yml: none may ever slip again."""
    import csv

    from clinic.paths import REPO_ROOT

    path = REPO_ROOT / "tests" / "unit" / "data" / "after_treatment_reports.tsv"
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))
    assert len(rows) >= 110
    wrong = [
        (row["kind"], row["text"]) for row in rows if bool(find_red_flags(row["text"])) != (row["kind"] == "red_flag")
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "text, sign",
    [
        ("bleeding wont quit on my upper lip, gone thru like 5 cotton pads", "bleeding_wont_stop"),
        ("she keeps dabbing at it, the bleeding isnt slowing down at all", "bleeding_wont_stop"),
        ("its hard to get food down like somethings stuck and my voice sounds weird", "breathing"),
        ("feel really foggy and muddled, keep forgetting what im doing", "faint_confused"),
        ("i feel shaky and faint and my heart is racing", "faint_confused"),
        ("my lips swelled up, going down a bit now", "face_swelling"),  # the lips count however it goes
        ("face swelling is going down but my throat feels tight", "breathing"),
        ("my face is swollen and getting worse, not going down", "face_swelling"),
        ("eyelid so swollen i can barely open my eye", "face_swelling"),
        ("trouble getting a breath in and my chest tight", "breathing"),  # blind set 7
        ("my tongue feels thick since the serum", "face_swelling"),
        ("pretty sure i got an infection from it", "pus"),
    ],
)
def test_sixth_and_seventh_blind_sets_misses_are_read_now(text, sign):
    """Shapes blind sets 6 and 7 found (bench/safety_blind6.tsv, 7), in other words than theirs."""
    assert sign in [flag.key for flag in find_red_flags(text)]


@pytest.mark.parametrize(
    "text",
    [
        "theres a faint bruise near my jaw, no pain no fever",  # a faint mark is not fainting
        "swelling under my eyes was bad the first day but each day its less",
        "my face was puffy yesterday but its going down today, lips and breathing totally fine",
        "cheeks a bit swollen this morning, already calming down",
        "can i use my brushes on my treated skin or will it give me an infection?",
    ],
)
def test_swelling_going_down_and_faint_marks_are_ordinary(text):
    assert find_red_flags(text) == []


@pytest.mark.parametrize(
    "text, sign",
    [
        ("the spot by my ear is hot and hard, much warmer than my other cheek", "spreading_redness"),
        ("the red area under my eye keeps getting wider since this morning", "spreading_redness"),
        ("sore on day 2, day 3 it hurts way more than the day after the treatment", "severe_pain"),
        ("my throat is kind of closing up and i can't get water down", "breathing"),
        ("raised itchy blotches like mosquito bites on my chest that come and go", "hives"),
        ("cheeks look scorched, raw in places, like a real burn", "blisters"),
    ],
)
def test_eighth_blind_sets_misses_are_read_now(text, sign):
    """Shapes blind set 8 found (bench/safety_blind8.tsv), in other words than its own."""
    assert sign in [flag.key for flag in find_red_flags(text)]


@pytest.mark.parametrize(
    "text",
    [
        "a bit sore when i press on my cheekbones, day 1",  # 'sore' is not 'sorer'
        "skin feels rough, like tiny dry bits all over my forehead",  # 'bits' is not 'bites'
        "redness comes and goes on my cheeks when i get warm",
    ],
)
def test_eighth_blind_sets_fixes_do_not_escalate_ordinary_worries(text):
    assert find_red_flags(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "skin feels really tight when i smile",
        "one cheek is pinker than the other",
        "theres a small bruise on my temple, only hurts if i press it",
        "it's been 5 days and my skin is still a bit dry, did it work?",
        "face was numb from the cream, now just tingly",
        "can i wash my face yet? it looks a bit pink",
    ],
)
def test_reports_without_my_or_a_treatment_word_are_reports(text):
    """Blind set 8: a visitor reporting in a hurry often drops 'my' and the treatment."""
    assert is_after_treatment_report(text)


@pytest.mark.parametrize(
    "text, sign",
    [
        ("my cheek is giving off heat, i can feel it from an inch away", "spreading_redness"),
        ("stood up and everything went dark, ended up on the floor", "faint_confused"),
        ("the treated area keeps leaking sticky clear stuff", "oozing"),
        ("can't get my spit down, it catches in my throat", "breathing"),
    ],
)
def test_ninth_blind_sets_misses_are_read_now(text, sign):
    """Shapes blind set 9 found (bench/safety_blind9.tsv), in other words than its own."""
    assert sign in [flag.key for flag in find_red_flags(text)]


@pytest.mark.parametrize(
    "text",
    [
        "face went back to normal after i came in from the sun",  # 'went back' is not 'went black'
        "i can see faint lines from the pen, they're fading",
        "does micro-needling with radiofrequency hurt more than the regular kind?",  # a question
    ],
)
def test_ninth_blind_sets_fixes_do_not_escalate_ordinary_worries(text):
    assert find_red_flags(text) == []


@pytest.mark.parametrize(
    "text, report",
    [
        ("patches on my cheeks look darker now, will it even out?", True),
        ("its been 5 days and i dont see any difference yet", True),
        ("temp 98.9. face is pinkish and a bit sore to touch", True),
        ("will my face be red afterwards?", False),
        ("my skin is dull, will it help?", False),
        ("how long until i see a difference?", False),
    ],
)
def test_reports_that_end_in_a_question_are_told_from_questions(text, report):
    assert is_after_treatment_report(text) is report


@pytest.mark.parametrize(
    "text, denied",
    [
        ("no pus, just dry and flaky", ["pus"]),
        ("not bleeding anymore, only little scabs", ["bleeding_wont_stop"]),
        ("no fever or anything", ["fever"]),
        ("my eyesight is fine", ["vision"]),
        ("no blisters but it stings", ["blisters"]),
    ],
)
def test_a_sign_named_only_to_deny_it_is_ruled_out(text, denied):
    from clinic.red_flags import ruled_out_signs

    assert ruled_out_signs(text) == denied
    assert find_red_flags(text) == []


@pytest.mark.parametrize("text", ["is bleeding normal after it?", "i have a fever", "how much does it cost"])
def test_a_question_or_a_present_sign_rules_nothing_out(text):
    from clinic.red_flags import ruled_out_signs

    assert ruled_out_signs(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "no pus, just dry and flaky around the mouth",  # a sign denied beside a change
        "no fever, just pink",
        "tender along my jawline, like pressing on a bruise",  # where on the visitor's body
        "a few whiteheads along my hairline",
        "itchy now that its healing, how do i stop scratching",  # recovering from something
        "cheeks a little tender when i wash them",
    ],
)
def test_mild_reports_in_other_words_are_reports(text):
    assert is_after_treatment_report(text)
    assert assess_urgency(text) == Urgency.CALL_CLINIC


@pytest.mark.parametrize(
    "text",
    [
        "is bleeding normal after micro-needling?",
        "does it hurt around the eyes?",
        "can it cause swelling under the eyes?",
    ],
)
def test_questions_about_the_treatment_stay_questions(text):
    assert not is_after_treatment_report(text)


@pytest.mark.parametrize(
    "text",
    [
        "my cheek is warm to the touch since this morning",
        "forehead warm when i touch it and its not going away, day 3",
        "cheeks feel warm to the touch and the red patch is bigger than yesterday",
        "skin is warm to touch, was going down but now its worse",
    ],
)
def test_warmth_to_the_touch_counts_unless_said_mild_or_going_down(text):
    assert keys(text) & {"warmth", "spreading_redness"}


@pytest.mark.parametrize(
    "text",
    [
        "face feels a little warm to the touch today, less than last night",
        "slightly warm when i touch my jaw but it's calming down",
        "cheeks a bit warm to touch this evening, otherwise fine",
    ],
)
def test_mild_or_fading_warmth_is_an_ordinary_worry(text):
    """Blind set 11: "a little warm when i touch my face, less than yesterday" got 911 first."""
    assert find_red_flags(text) == []


def test_hot_to_the_touch_counts_however_it_is_put():
    assert "spreading_redness" in keys("a little hot to the touch on my cheek, less than yesterday")


@pytest.mark.parametrize(
    "text",
    [
        "2 weeks on and i cant see any difference in my acne scars",
        "can't see much change yet, day 8, is that normal",
        "i cannot see results yet and its been ten days",
    ],
)
def test_not_seeing_results_is_not_a_change_in_vision(text):
    """Blind set 12: "cant see any diff in my scars" got 911 first."""
    assert "vision" not in keys(text)


def test_not_seeing_properly_still_counts():
    assert "vision" in keys("cant see properly out of my right eye since the session")


@pytest.mark.parametrize(
    "text",
    [
        "my cheeks are hurting more every day since tuesday",
        "it hurts more now than on the day i had it done",
    ],
)
def test_pain_that_grows_counts(text):
    """Blind set 12: pain "hurting more" every day got the clinic's phone only."""
    assert "severe_pain" in keys(text)


def test_red_dots_all_over_the_treated_face_are_not_spreading():
    """Blind set 12: "tiny red dots all over" (the needle marks) got 911 first."""
    assert find_red_flags("little red dots all over my forehead from the pen, day 1") == []


@pytest.mark.parametrize(
    "text",
    [
        "bit of a headache since this morning, is that from the session",
        "had it done yesterday, can i take ibuprofen for the soreness",
        "slightly queasy tonight after my treatment",
    ],
)
def test_how_the_visitor_feels_since_is_a_report(text):
    """Blind set 12: a mild headache and a painkiller question got "I didn't understand"."""
    assert is_after_treatment_report(text)


@pytest.mark.parametrize(
    "text",
    [
        "the pink has gone right down my neck since lunch",
        "redness went all the way round to my ear overnight",
    ],
)
def test_redness_that_has_travelled_counts(text):
    """Blind set 13: redness gone "round behind my ear and down my neck" got the clinic's phone only."""
    assert "spreading_redness" in keys(text)


def test_skin_that_looks_actually_burnt_counts():
    """Blind set 13: "looks actually burnt, like shiny raw" got the clinic's phone only."""
    assert "blisters" in keys("honestly my chin looks literally burnt and shiny raw")


def test_skin_like_a_scald_counts_and_the_scalp_is_not_a_scald():
    """Blind set 14: "dark and leathery ... like a scald mark" got the clinic's phone only."""
    assert "blisters" in keys("my cheek went leathery and brown, like a scald mark")
    assert find_red_flags("scalp a bit itchy where they did my hairline") == []


def test_pain_off_the_charts_counts_even_voice_typed():
    """Blind set 15: a voice-typed "pain is off the charts comma like a knife" was not understood."""
    assert "severe_pain" in keys("my cheek pain is off the charts comma cant sleep period")
    assert "severe_pain" in keys("stabbing feeling in my jaw since the session")


def test_spoken_punctuation_ends_a_clause_so_negation_stays_in_it():
    # "no" before "comma" must not deny what comes after it.
    assert "fever" in keys("no comma i do have a fever now")
    assert "fever" not in keys("no fever comma just pink")


@pytest.mark.parametrize(
    "text, is_report",
    [
        ("the ache in my cheek tonight is something else, had it done monday", True),
        ("my jaw keeps throbbing since the session", True),
        ("does micro-needling hurt?", False),
        ("how painful is the treatment itself", False),
    ],
)
def test_pain_since_a_treatment_is_a_report_and_pain_asked_about_is_not(text, is_report):
    """Pain is how the visitor feels now, like a skin change: the severity model then reads it."""
    assert is_after_treatment_report(text) is is_report


def test_redness_that_has_extended_beyond_the_treated_area_counts():
    """Blind set 16: redness "extended approx 3 cm beyond it" got the clinic's phone only."""
    assert "spreading_redness" in keys("the redness has extended well past the treated patch since this morning")
    assert "spreading_redness" in keys("pink area now goes beyond the edge of where they needled")


@pytest.mark.parametrize(
    "text, treated",
    [
        ("had needling today and my husband says i am talking nonsense", True),
        ("got my face done yesterday and feel weird", True),
        ("since my session things are off", True),
        ("I had a question about the procedure", False),
        ("never had it done, what is it", False),
        ("what day is it today", False),
        ("will i feel weird after my treatment?", False),
    ],
)
def test_who_says_they_have_had_a_treatment(text, treated):
    """A message the model does not understand goes the report way only from someone treated."""
    assert speaks_of_own_treatment(text) is treated


@pytest.mark.parametrize(
    "text",
    [
        "my teeth keep chattering and i cant get warm, face done yesterday",
        "had shaking fits all evening since the needling",
        "i feel hot then cold over and over since my session",
    ],
)
def test_shaking_and_chills_in_other_words_count_as_fever(text):
    """Blind set 17: shaking fits, chattering teeth, "hot and sweaty and then cold again"."""
    assert "fever" in keys(text)


def test_a_tissue_with_specks_of_blood_is_not_bleeding_that_wont_stop():
    """Blind set 18: "specks of blood on the tissue ... stopped" got 911; a tissue is not many."""
    assert "bleeding_wont_stop" not in keys("saw a little blood on my tissue after dabbing, it stopped quickly")
    assert "bleeding_wont_stop" in keys("still bleeding and i've gone through a whole box of tissues")


@pytest.mark.parametrize(
    "text",
    [
        "my mum is talking gibberish since her session this morning",
        "he doesn't know what day it is and keeps repeating himself, had needling today",
        "she keeps asking the same question over and over since the treatment",
    ],
)
def test_confusion_told_by_a_relative_counts(text):
    """Blind set 20: a father "talking nonsense ... doesnt know what day it is" got the rephrase prompt."""
    assert "faint_confused" in keys(text)


def test_pain_worse_than_the_day_before_counts_and_pain_easing_does_not():
    """Blind set 19: "it hurts more today than yesterday" got the clinic's phone only."""
    assert "severe_pain" in keys("my cheeks hurt more than yesterday, day 3")
    assert "severe_pain" in keys("pain is worse today than it was on the day")
    assert find_red_flags("the pain is less today than yesterday") == []
    assert find_red_flags("smiling feels a little sore today") == []


def test_a_relatives_named_treatment_is_their_own_treatment():
    # "his scar treatment": one word may name what was treated.
    assert speaks_of_own_treatment("he's not right since he came back from his scar treatment")
    assert not speaks_of_own_treatment("is a scar treatment right for me?")


def test_not_getting_air_in_is_trouble_breathing():
    """Blind set 22: "cant get air in properly" got the rephrase prompt."""
    assert "breathing" in keys("she can't get air in properly since the session")
    assert "breathing" in keys("not getting enough air, face done this morning")
    assert find_red_flags("i need some fresh air after the session, is a walk ok") == []


def test_micro_needling_spelt_apart_is_a_treatment():
    assert speaks_of_own_treatment("she had micro needling this afternoon and now feels odd")


def test_muddled_speech_and_memory_count_as_confusion():
    """Set 16, re-measured after the decline rule: "kinda mixed up, cant remember how i got
    home ... my words come out weird" got the rephrase prompt."""
    assert "faint_confused" in keys("i feel mixed up since the session and can't find my words")
    assert "faint_confused" in keys("dont remember how i got home after my treatment")


def test_a_tongue_that_feels_thick_counts_however_far_apart_the_words():
    """Blind set 23: "does the numbing cream do anything to your tongue? mine feels thick and
    fat" got the rephrase prompt."""
    assert "tongue_feels_thick" in keys("what does numbing cream do to the tongue? mine feels fat and heavy")
    assert "tongue_feels_thick" in keys("my tongue, it's like it's too big, i keep biting it")
    assert find_red_flags("is a thick layer of the aftercare cream better than a thin one") == []


def test_barely_swallowing_or_breathing_counts():
    """Blind set 23: "can barely swallow my own spit" got the clinic's phone only."""
    assert "breathing" in keys("i can hardly swallow since the needling")
    assert "breathing" in keys("he can barely breathe, face was done today")


def test_pain_that_is_very_strong_or_makes_the_visitor_cry_counts():
    """Blind set 24: "my face pain is very very strong, I am crying" got the clinic's phone only."""
    assert "severe_pain" in keys("my cheeks, the pain is so strong, day 2")
    assert "severe_pain" in keys("it hurts so much i'm in tears")
    assert find_red_flags("a bit sore, and the sunscreen smell is very strong") == []


def test_pain_getting_sorer_and_sorer_counts():
    """Blind set 25: "its getting sorer and sorer instead of better" got the clinic's phone only."""
    assert "severe_pain" in keys("day 4 and my cheeks are getting sorer and sorer")
    assert find_red_flags("smiling feels a little sore today") == []


def test_skin_like_a_hot_pan_touched_it_is_burn_like():
    """Blind set 25: skin "like when you touch a hot pan, white in the middle and raw round the
    edges" got the clinic's phone only."""
    assert "blisters" in keys("my forehead looks like i touched a hot iron")
    assert "blisters" in keys("the patch is white in the middle, raw round the edge")


def test_breathing_through_a_straw_is_trouble_breathing():
    """Blind set 26: "each breath feels like im breathing through a straw" got the clinic's phone only."""
    assert "breathing" in keys("feels like i'm breathing thru a straw since my session")


def test_something_lodged_on_the_way_down_is_trouble_swallowing():
    """Blind set 27: "each time I try to get my tea down it feels as if a boiled sweet is
    lodged halfway" got the clinic's phone only."""
    assert "breathing" in keys("when i drink it feels like a sweet is lodged and it won't budge")
    assert "breathing" in keys("food feels stuck, it won't go down, after the needling")
    assert find_red_flags("is it ok to drink tea after the treatment") == []


def test_bleeding_that_does_not_stop_in_other_words_counts():
    """Blind set 29: "blood no stop from cheek, 1 hour pressing" got the rephrase prompt."""
    assert "bleeding_wont_stop" in keys("blood no stop from my chin")
    assert "bleeding_wont_stop" in keys("its bleeding nonstop since the session")


def test_pain_that_grows_counts_and_soreness_that_eases_more_each_day_does_not():
    """Blind set 29: "the hurt is growing every day" got the clinic's phone only; blind set 27:
    "a little sore ... the soreness eases a bit more each day" got 911 first."""
    assert "severe_pain" in keys("my wife says the hurt is growing every day")
    assert "severe_pain" in keys("a little sore on day 1 but it hurts more each day")
    assert find_red_flags("it is a little sore and the soreness eases a bit more each day") == []
    assert find_red_flags("sore, but it gets better more each day") == []


def test_confusion_told_in_other_words_counts():
    """Blind set 29: "she asks same question again and again and dont know where she is" got the
    clinic's phone only."""
    assert "faint_confused" in keys("my sister asks same question again and again")
    assert "faint_confused" in keys("she dont know where she is after the treatment")
    assert "faint_confused" in keys("grandma didnt know who i was for a bit")


def test_water_pockets_under_the_skin_are_blisters():
    """Blind set 29: "water pockets under the skin ... under is raw" got the clinic's phone only."""
    assert "blisters" in keys("there are water pockets on my forehead")
    assert "blisters" in keys("some broke and underneath is raw")


def test_lips_gone_big_count_as_swelling():
    """Blind set 29: "LIPS BIG LIKE DUCK AFTER NEEDLES" got the rephrase prompt; blind set 10:
    "lips look like i got punched" got the clinic's phone only."""
    assert "face_swelling" in keys("LIPS BIG LIKE DUCK AFTER NEEDLES")
    assert "face_swelling" in keys("my lips look like i got punched")


@pytest.mark.parametrize(
    "text",
    [
        "pain was like a 4 right after, now like a 1, all chill?",
        "my face is quite pink, much as it is after an afternoon weeding the roses",
        "it is a bit red but i think it looks fine",
        "going to the shops later, skin a little pink, no wheel of fortune drama",
    ],
)
def test_everyday_words_one_letter_from_a_sign_are_not_its_typos(text):
    """Blind sets 27 and 28: "all chill?" read as chills, "weeding" as weeping."""
    assert find_red_flags(text) == []


def test_a_typo_of_a_signs_word_still_counts():
    assert "fever" in keys("i have the chils since last night")
    assert "oozing" in keys("my cheek is weepng clear stuff")


@pytest.mark.parametrize(
    "text",
    [
        "I had a shivery moment in the cold church but my temperature is 36.5 and I am well",
        "got the chills in the car, took my temp and its 98.2",
    ],
)
def test_a_normal_reading_after_chills_answers_them(text):
    """Blind set 27: a shiver in a cold church, then "my temperature is 36.5", got 911 first."""
    assert find_red_flags(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "temp was 36.8 this morning but now i have chills",
        "chills and my temperature is 36.9, a minute ago it was 38.4",
        "chills for 36 hours since the needling",
        "fever and chills, temperature 37.2",
    ],
)
def test_chills_stand_when_the_reading_is_earlier_high_or_not_a_reading(text):
    assert "fever" in keys(text)


def test_other_words_must_be_a_list_of_words(tmp_path):
    path = tmp_path / "red_flags.yml"
    path.write_text("signs: {}\nother_words: chill\n", encoding="utf-8")
    with pytest.raises(RedFlagsError, match="other_words"):
        load_other_words(path)
    path.write_text("signs: {}\nother_words: [Chill, weeding]\n", encoding="utf-8")
    assert load_other_words(path) == frozenset({"chill", "weeding"})


@pytest.mark.parametrize(
    "text, key",
    [
        ("i know what dyspnea feels like and this is it", "breathing"),
        ("SOB at rest since the session", "breathing"),
        ("sats 94 on my finger monitor", "breathing"),
        ("vesicles forming on my forehead where the pen was", "blisters"),
        ("looks like urticaria on my arms", "hives"),
        ("i think i'm febrile", "fever"),
        ("purulent discharge from two spots", "pus"),
        ("possible angioedema, lips up", "face_swelling"),
        ("had a syncopal episode after", "faint_confused"),
        ("could be cellulitis, it's hot", "spreading_redness"),
    ],
)
def test_clinical_words_count(text, key):
    """Blind set 30 (writers who work in healthcare): "dyspnea ... SOB at rest, sats 94" got the
    clinic's phone only, "vesicles ... with clear fluid inside" the rephrase prompt."""
    assert key in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "bit confused by the aftercare sheet, which is it, 24h or 48h",
        "nothing's oozing or leaking, just really dry on day 3",
        "numbing cream wore off and its a bit sore, easing off already",
        "weird one, my eyes were a tiny bit puffy this morning but gone by lunch, I can see fine",
        "are the side effects serious or minor",
        "does it help with cellulite on the thighs",
    ],
)
def test_ordinary_words_near_a_sign_are_not_one(text):
    """Blind sets 30 and 31: "confused by the aftercare sheet", "nothing's oozing", a "weird one"
    beside the eyes and "wore off" (read as worse) got 911 first."""
    assert find_red_flags(text) == []


def test_weird_right_beside_the_eyes_still_counts():
    assert "vision" in keys("my vision is weird since the needling near my eyes")
    assert "vision" in keys("eyes feel weird and everything is blurry")


@pytest.mark.parametrize(
    "text, key",
    [
        ("pain was 3 now 7, day 4", "severe_pain"),
        ("face hotter each day not cooling down", "spreading_redness"),
        ("lips n tongue blowing up post needling", "face_swelling"),
        ("cheek looks like i touched a stove", "blisters"),
    ],
)
def test_short_messages_of_blind_set_33_count(text, key):
    """Blind set 33 (every message 3-12 words): these four got the clinic's phone or the
    not-understood reply."""
    assert key in keys(text)


def test_a_swelling_that_goes_down_more_every_day_is_not_pain_getting_worse():
    """Blind set 35: "swelling goes down more every day" got 911 first ("more every day" was a
    phrasing of its own; now it only qualifies pain)."""
    assert find_red_flags("swelling goes down more every day, day 3 now and i almost look human again") == []
    assert "severe_pain" in keys("it hurts more every day since the session")


@pytest.mark.parametrize(
    "text, key",
    [
        ("gf: red, blotchy, breathing like through straw", "breathing"),
        ("she went all pale and clammy and her legs gave way in the car park", "faint_confused"),
        ("my knees buckled when i stood up after the session", "faint_confused"),
    ],
)
def test_signs_of_blind_sets_36_and_37_count(text, key):
    """Blind sets 36 (hedging) and 37 (lists): "breathing like through straw" got the clinic's
    phone, a friend gone "pale and clammy" whose "legs gave way" got an FAQ answer."""
    assert key in keys(text)


def test_skin_that_feels_cool_and_clammy_is_not_fainting():
    assert find_red_flags("my skin feels cold and clammy after the mask, is that ok?") == []


@pytest.mark.parametrize(
    "text, report",
    [
        ("can i start my acne cream again, stopped it before the session", True),  # blind set 28
        ("when can I restart my retinol cream, stopped it before the treatment like the doctor said", True),  # 31
        ("pain mild n improving, ibuprofen ok?", True),  # blind set 33
        ("tiny bruise near jaw, fading", True),
        ("face red but calming down. normal?", True),
        ("should i stop my retinol before microneedling", False),  # the article's preparation answer
        ("how long until the redness fades", False),  # the article's recovery answer
        ("will the redness be fading by the weekend", False),
    ],
)
def test_products_taken_up_again_and_symptoms_told_with_their_course_are_reports(text, report):
    """Blind sets 28, 31 and 33: "can i start my acne cream again" and "pain mild n improving,
    ibuprofen ok?" got the article's preparation answer with no phone. The article says a
    doctor may stop such products before a treatment, not when to take them up again."""
    assert is_after_treatment_report(text) is report


@pytest.mark.parametrize(
    "text",
    [
        "my cousin told me that i should have fever and pus if something is wrong but i dont have none of this,"
        " my face is only tender",  # blind set 29
        "my friend said watch for spreading redness, pus or fever. ive got none of that, just a light pink flush",
        "the nurse said call if my lips or tongue swell or i cant breathe. none of that. just dry flakes",
    ],
)
def test_signs_named_as_what_to_watch_for_then_all_denied_are_not_red_flags(text):
    """Blind set 29: a cousin's warning of "fever and pus", then "i dont have none of this",
    got 911 first: the negation came after the signs."""
    assert find_red_flags(text) == []


@pytest.mark.parametrize(
    "text, key",
    [
        ("the leaflet said watch for fever, none of that, but now my lips are swelling up", "face_swelling"),
        ("the doctor said signs of infection are pus and fever, i have pus and 38.9", "pus"),
        ("i have a fever and pus, none of this was on the aftercare sheet", "fever"),
        ("they said watch for fever. now i have a fever of 39", "fever"),
    ],
)
def test_a_sign_told_outside_the_warning_or_without_a_denial_still_counts(text, key):
    assert key in keys(text)


@pytest.mark.parametrize(
    "text, key",
    [
        ("my tongs feels too big for my mouth and im talking funny", "tongue_feels_thick"),  # blind set 38
        ("skin on my forehead gone shiny tight and white in patches like i leaned on the iron", "blisters"),  # 39
    ],
)
def test_signs_of_blind_sets_38_and_39_count(text, key):
    """Blind set 38 (autocorrect: "tongs" for tongue) and 39 (told through what happened):
    both got the clinic's phone only."""
    assert key in keys(text)


def test_dark_and_bruised_skin_under_the_eyes_is_not_a_change_in_sight():
    """Blind set 38: "my eyes r fine ... just the skin under them looks a bit dark and bruised"
    got 911 first (eyes ... dark)."""
    assert find_red_flags("my eyes r fine no blurry vision just the skin under them looks a bit dark and bruised") == []
    assert "vision" in keys("since the session my eyes see everything dark and blurry")


@pytest.mark.parametrize(
    "text, key",
    [
        ("parts of mom face look like a bad burn raw bright red where the top skin come off", "blisters"),  # set 40
        ("Redness not going away, it grow. Day 1 only cheeks, day 3 until the ear, more big", "spreading_redness"),
        ("she is confused about what day it is since the treatment", "faint_confused"),
    ],
)
def test_signs_of_blind_sets_40_and_41_count(text, key):
    """Blind sets 40 (clumsy typing) and 41 (diary-style numbers): a burn whose "top skin
    come off" and redness that "grow ... much more big" got the clinic's phone only; and
    "confused about what day it is" was read as a question ("confused about what ...")."""
    assert key in keys(text)


def test_a_pain_rated_zero_out_of_ten_is_not_severe_pain():
    """Blind set 41: "the shower makes it look worse, otherwise fine, 0/10 pain" got 911 first."""
    text = "Is peeling normal? flaking on forehead day 5, the shower makes it look worse, otherwise fine, 0/10 pain"
    assert find_red_flags(text) == []
    assert "severe_pain" in keys("the pain is getting worse, 8/10 now")


@pytest.mark.parametrize(
    "text, key",
    [
        ("Every sip of tea feels like it's going down a drinking straw someone has pinched", "breathing"),
        ("on a scale of one to ten id give it a solid eleven", "severe_pain"),
        ("my face is HOTTER on day 3 than day 1, you could warm your hands on it", "spreading_redness"),
    ],
)
def test_signs_of_blind_set_43_count(text, key):
    """Blind set 43 (British understatement): swallowing as "a bit of a project", pain "a solid
    eleven" and a face "you could warm your hands on" got the clinic's phone or the rephrase
    prompt."""
    assert key in keys(text)


def test_a_cheese_grater_pattern_of_pinpoints_is_not_pain():
    assert find_red_flags("little grid of pinpoints on my forehead like a cheese grater pattern, fading") == []


@pytest.mark.parametrize(
    "text, key",
    [
        ("can microneedling make you see double rn", "vision"),  # blind set 45
        ("can it cause your throat to feel tight? because mine does right now", "breathing"),
        ("hes puffing fast and shallow, like someone is sitting on his chest, cant finish a sentence", "breathing"),
    ],
)
def test_signs_of_blind_sets_44_and_45_count(text, key):
    """Blind sets 44 (parents of teenagers) and 45 (every report asked as a question)."""
    assert key in keys(text)
    assert not is_general_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "should i worry that my under eyes are a bit puffy? it was worse yesterday and its going down",
        "does microneedling work on large pores too? my cheeks are still slightly pink",
    ],
)
def test_puffy_eyes_getting_better_and_large_pores_are_not_red_flags(text):
    """Blind set 45: "under eyes ... worse yesterday" was read as sight getting worse, and
    "large" as a typo of "larger" (spreading redness): both got 911 first."""
    assert find_red_flags(text) == []


def test_sight_said_to_be_worse_still_counts():
    assert "vision" in keys("since the needling near my eyes my vision is getting worse")
    assert "vision" in keys("my eyesight worse since this morning")


@pytest.mark.parametrize(
    "text, report",
    [
        ("can microneedling cause breakouts? got 3 little pimples on my chin", True),  # blind set 45
        ("my skin is red and blotchy. can micro-needling help?", False),
        ("does it help for skin that lost its elasticity? I am 55 and my face is not so tight", False),
    ],
)
def test_a_question_followed_by_the_visitors_own_skin_now_is_a_report(text, report):
    assert is_after_treatment_report(text) is report


@pytest.mark.parametrize(
    "text, key",
    [
        ("the ache on my jaw has been ramping up every single day, ibuprofen barely touches it", "severe_pain"),
        ("sister + me did it 2hrs ago. my lips look like filler gone wrong, no joke they're huge", "face_swelling"),
    ],
)
def test_signs_of_blind_sets_46_and_47_count(text, key):
    """Blind set 46 (pain "ramping up") and 47 (two people; "no joke" read as a denial)."""
    assert key in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "my puffiness under my eyes was bigger yesterday and is going down now, hers is gone already",
        "my sister was puffy around the eyes the morning after, i was a bit too, both went down by lunch",
        "my friend and i both had it done, neither of us has a fever (i'm 36.8, she's 36.9), just red and tight",
    ],
)
def test_two_people_both_settling_or_denying_are_not_red_flags(text):
    """Blind set 47: "was bigger yesterday" read as worse, "went down" was not a getting-better
    word, and "neither of us has a fever" was not a denial: all three got 911 first."""
    assert find_red_flags(text) == []


def test_worse_now_still_stops_a_swelling_from_counting_as_settling():
    assert "face_swelling" in keys("my face is swollen and worse than yesterday, it was going down but now its back")


@pytest.mark.parametrize(
    "text, key",
    [
        ("today its back and every hour it hurts more than the hour before", "severe_pain"),  # blind set 48
        ("each day my thighs hurt more not less. started as nothing and now im limping", "severe_pain"),  # 49
        ("been pressing a towel on my scalp for 40 minutes and its still soaking through red", "bleeding_wont_stop"),
        ("my neck hurt so much i cried all night, painkillers do nothing at all", "severe_pain"),
        ("I thought the redness was going down but no, its spreading again", "spreading_redness"),
        ("I thought it was just a bit red but no, now there is pus", "pus"),
    ],
)
def test_signs_of_blind_sets_48_and_49_count(text, key):
    """Blind sets 48 (people who correct themselves) and 49 (areas other than the face)."""
    assert key in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "I thought the red was spreading but no, it's the same size as the line I drew, just pink",
        "is it swollen? no, checked in the mirror twice, looks normal",
        "thought it was a rash at first but no they're in straight lines, same way the pen moved",
        "small bruise on the back of my hand where the pen went over a vein, it's going yellow now",
        "broke out on my forehead, 6 tiny bumps, is this purging? no fever (36.9), not hot",
        "does it hurt more than laser hair removal",
    ],
)
def test_a_sign_taken_back_at_once_is_not_a_red_flag(text):
    """Blind set 48: "I thought the red was spreading but no, it's the same size" got 911
    first; so did set 49's bruise "on the back of my hand" (a phrasing of warmth felt with it)."""
    assert find_red_flags(text) == []


@pytest.mark.parametrize(
    "text, key",
    [
        ("throat squeezed like a fist 20 min after", "breathing"),  # blind set 51
        ("room spinning feel like gonna black out", "faint_confused"),
        ("face giving off more heat each day since tx", "spreading_redness"),
        ("painkillers not touching it, had to leave work", "severe_pain"),  # 52
        ("lips like two bratwursts on the grill help", "face_swelling"),
        ("little yellow green pockets like someone piped mayo under the skin", "pus"),
        ("they crust over then fill up again", "oozing"),
        ("the oval on my jaw is hotter today than yesterday like a hot water bottle", "spreading_redness"),  # 53
        ("i see 2 of everything when i look in the mirror", "vision"),
        ("a slight soreness, worse every day since, and today I cannot bear my pillow against it", "severe_pain"),  # 50
        ("the soreness has been getting steadily worse instead of easing off", "severe_pain"),
    ],
)
def test_signs_of_blind_sets_50_to_53_count(text, key):
    """Blind sets 50 (letters from older visitors), 51 (a few words), 52 (images from work and
    sport) and 53 (what the mirror or a photo shows)."""
    assert key in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "There are no bumps, welts or rash of any kind. Just an itch.",  # blind set 50
        "My face has been itchy, a mild tickle really, with no rash, bumps or welts whatsoever.",
        "Slight headache this evening, temperature 37.1. Face slightly pink. Sincerely, Ambrose Kettle",
        "bruising near my temple turning yellow green now. healing i guess?",  # a healing bruise's colour
        "How can I get my card back out?",  # "back" is not a typo of "black"
        "Is it supposed to be hotter today in IL",
    ],
)
def test_a_denied_list_a_surname_and_a_bruises_colour_are_not_red_flags(text):
    """Blind set 50: "no bumps, welts or rash" ended the denial at the comma, and a signature
    "Ambrose Kettle" read as a scald; both got 911 first."""
    assert find_red_flags(text) == []


def test_a_denied_list_joined_by_and_still_counts_each_sign():
    """ "No fever, pus and swelling" may deny only the fever: over-escalating is the safe side."""
    assert "pus" in keys("no fever, pus and swelling on my cheek")


@pytest.mark.parametrize(
    "text, key",
    [
        ("is difficult to take the air, I breath short short and my chest is whistling", "breathing"),  # set 54
        ("my husband cannot catch the breath, he is sitting and breathing fast with noise", "breathing"),
        ("face is like I put it in the fire, color of raw meat, skin is open, day 2", "blisters"),
        ("pain is every day more strong not less, it was 2 now is 7", "severe_pain"),
        ("face become fat fat like pumpkin i cannot recognize myself in mirror", "face_swelling"),
        ("mom is lost in her own house, she not remember my name and talk mixed words", "faint_confused"),
        ("she has water filled bumps on her cheeks that werent there yesterday", "blisters"),  # set 57
    ],
)
def test_signs_of_blind_sets_54_to_57_count(text, key):
    """Blind sets 54 (English as a second language, translated word for word) and 57 (someone
    else's symptoms relayed)."""
    assert key in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "oedema was moderate yesterday evening, today mostly resolved, just slightly puffy under the eyes",
        "mum read about infections online and got scared, her face isnt hot or oozing or anything just pink",
        "my temp is 36.8 and my face feels a bit warm, should i be worried about infection?",
        "do you remember my name",  # small talk, not confusion
        "can you explain when the syria becomes more stronger than america",
    ],
)
def test_resolved_swelling_and_infections_read_about_are_not_red_flags(text):
    """Blind sets 55 ("mostly resolved") and 57 (infections read about online): 911 first."""
    assert find_red_flags(text) == []


@pytest.mark.parametrize(
    "text, key",
    [
        ("the skin on my cheeks has raised bubbly bits that popped and left raw spots", "blisters"),  # set 58
        ("big blotchy bumps that itch like crazy, one fades and another pops up somewhere else", "hives"),
        ("ma lips gone massive efter the needlin", "face_swelling"),  # set 60
        ("cannae swally ma ain spit, it's like it gets stuck halfway doon", "breathing"),
    ],
)
def test_signs_of_blind_sets_58_to_61_count(text, key):
    """Blind sets 58 (late-night rambles) and 60 (regional Englishes)."""
    assert key in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "thermometer says 37.0, nae fever, face jist a wee bit pink an dry",  # set 60: Scots "nae"
        "ma face is still a wee bit red on day 2, nae fever or nothin",
        "swellin's gone right down since yesterday, just a tiny bit puffy under me eyes now",
        "mi face did swell likkle bit by di eye but it a go dung now, dat normal?",
        "swelling under my eyes was maybe 5mm puffy this morning, now at 3pm its about half that. normal?",  # 59
    ],
)
def test_scots_denials_and_swelling_halved_are_not_red_flags(text):
    assert find_red_flags(text) == []


def test_scots_cannae_is_not_a_denial():
    """ "Cannae" is "can't", which the sign's own phrasing carries ("can't breathe")."""
    assert "breathing" in keys("i cannae breathe right since the needlin")


@pytest.mark.parametrize(
    "text, key",
    [
        (
            "since his appointment he isnt making sense, mixing up his words and forgetting where he is",
            "faint_confused",
        ),
        ("mes lèvres sont gonflées comme des saucisses, started 1h after the séance", "face_swelling"),  # set 65
        ("SAANS NAHI AA RAHI PROPERLY AFTER TREATMENT HELP", "breathing"),
        ("kuch bhi nigalne mein dikkat, like there's a lump stuck", "breathing"),
        ("I drew a line around the red patch last night, ngayon lumampas na sa line", "spreading_redness"),
    ],
)
def test_signs_of_blind_sets_63_and_65_count(text, key):
    """Blind sets 63 (polite hints) and 65 (English mixed with French, Hindi, Tagalog)."""
    assert key in keys(text)


@pytest.mark.parametrize(
    "text, key",
    [
        ("lips look like filler gone wrong fat and tingly", "face_swelling"),  # set 66
        ("her lips look fat since the needling", "face_swelling"),
        ("my wife is breathing very hard, short short breath", "breathing"),  # set 67
        ("she can not say a full sentence without stopping", "breathing"),
    ],
)
def test_signs_of_blind_sets_66_and_67_count(text, key):
    """Blind sets 66 (run-on messages) and 67 (comparisons with past treatments)."""
    assert key in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "I take the antibiotic for urine infection, is ok?",  # set 68
        "on amoxicillin for a tooth infection, can i still have needling",
        "I had a water infection last month",
    ],
)
def test_an_infection_elsewhere_in_the_body_is_not_the_treated_skin(text):
    assert "pus" not in keys(text)


def test_an_infection_of_the_treated_skin_still_counts():
    assert "pus" in keys("my cheek looks infected after the treatment")
    assert "pus" in keys("i think i have an infection where they needled")


@pytest.mark.parametrize(
    "text, report",
    [
        # Before a treatment: the visitor's skin now is why they ask.
        ("my forehead is dull and uneven, would micro-needling help with that?", False),
        ("i have a cold sore right now, can my appointment still go ahead?", False),
        ("my holiday is 4 days after the session, will I still be pink?", False),
        ("I have a work dinner to go to 3 days after, will my face still be pink?", False),
        ("can I wear foundation right after?", False),
        ("retinol right after needling, good idea?", False),
        ("my cheeks are rough and bumpy, is it worth trying?", False),
        # After one: the same words with a time since, or a treatment had, stay reports.
        ("my skin looks patchy and pinker in places, 5 days after. will it even out?", True),
        ("can i go to the beach, is 3 days after? face still a bit pink", True),
        ("went to a party 2 days after and my cheeks are red and itchy now, will it settle?", True),
        ("face is red right after lol, how long does this last", True),
        ("had it done this morning, my skin is blotchy, would aloe help?", True),
        ("got a headache this evening after the session, it's easing now. can I still do the next one?", True),
    ],
)
def test_questions_before_a_treatment_are_told_from_reports_after_one(text, report):
    assert is_after_treatment_report(text) is report


@pytest.mark.parametrize(
    "text, sign",
    [
        ("since the session i cannot swallow well, the saliva not go down", "breathing"),
        ("looks like she was splashed with boiling water, raw shiny cheeks", "blisters"),
        ("his chin looks cooked, red and wet", "blisters"),
    ],
)
def test_seventieth_blind_sets_misses_are_read_now(text, sign):
    """Shapes blind sets 70 and 71 found, in other words than their own."""
    assert sign in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "do you numb it with an injection or a cream?",  # 'injection' is not 'infection' misspelt
        "any danger of infection from the needles?",  # a question about the article
    ],
)
def test_everyday_words_near_a_sign_are_not_reports(text):
    assert keys(text) == set() or is_general_question(text)


@pytest.mark.parametrize(
    "text, sign",
    [
        ("the redness is moving, yesterday my chin, today it went to the other side", "spreading_redness"),
        ("pink patch goes more far every day", "spreading_redness"),
        ("since this morning his face is so big, he looks like a different person", "face_swelling"),
    ],
)
def test_seventy_second_blind_sets_misses_are_read_now(text, sign):
    """Shapes blind sets 72 and 73 found, in other words than their own."""
    assert sign in keys(text)


@pytest.mark.parametrize(
    "text",
    ["I have very big pores on my cheeks, can it help?", "moving house next week, is a bit of redness ok for that?"],
)
def test_big_pores_and_moving_house_are_not_red_flags(text):
    assert keys(text) == set()


@pytest.mark.parametrize(
    "text, sign",
    [
        ("every time she sips water it sticks halfway down, like a pebble", "breathing"),
        ("all went grey for a second and i nearly dropped in the kitchen", "faint_confused"),
        ("he just crumpled onto the sofa after his facial", "faint_confused"),
        ("watery bumps came up on my chin overnight", "blisters"),
        ("sore more 2day than yday", "severe_pain"),
    ],
)
def test_seventy_fourth_to_seventy_seventh_blind_sets_misses_are_read_now(text, sign):
    """Shapes blind sets 74-77 found, in other words than their own."""
    assert sign in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "it's 39 degrees outside, can I walk to work the day after?",  # the weather, not a fever
        "the thermometer in the garden on the balcony says 38.5, should I stay in?",
        "swelling was bad yesterday, going down now, my lips and mouth are quite normal",
        "felt warm to the touch last night, cooled down by morning",
    ],
)
def test_the_weather_and_settled_swelling_or_warmth_are_not_red_flags(text):
    assert keys(text) & {"fever", "face_swelling", "warmth"} == set()
    assert "high temperature" not in readings_in_words(text)  # nor for the second opinion (clinic/severity.py)


@pytest.mark.parametrize(
    "text",
    [
        "it's hot outside and my temp is 38.6",  # a word about the person between
        "the weather is awful, 101.5 since lunch",  # another clause: erring towards a fever
        "39.2 and it's a heatwave",
        "my temp was 39.4 outside the clinic",  # the person first: the word after is a place
    ],
)
def test_a_fever_beside_the_weather_still_counts(text):
    assert "fever" in keys(text)


def test_lips_gone_fat_count_however_far_apart_the_words():
    letter = (
        "Dear clinic, my lips, which have always been rather thin and which my sister teases me about, "
        "have since lunch gone fat and rubbery after the serum you put on."
    )
    assert "lips_look_fat" in keys(letter)
    assert "lips_look_fat" in keys("top lip is sticking out like a ledge and rubbery")
    assert keys("my lips are thin, can microneedling plump them?") == set()


@pytest.mark.parametrize(
    "text, sign",
    [
        ("there's thick creamy yellowish stuff in the needle marks on my nose", "pus"),
        ("some crud is filling the little holes on my cheek", "pus"),
        ("since the session i can't take a deep breath", "breathing"),
        ("feels like an asthma attack coming on after the treatment", "breathing"),
        ("i've never had asthma but i can't get a full breath tonight", "breathing"),
        ("my eyelids swelled up and it's no better, how do i tell if it's infected", "face_swelling"),
        ("i think it's infected, yellow pus, how do i know if it's infected for sure", "pus"),
        ("hives all over my arms, I looked them up and pics of hives look just like this", "hives"),
    ],
)
def test_seventy_eighth_to_eighty_first_blind_sets_misses_are_read_now(text, sign):
    assert sign in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "how do i tell if it's infected or just healing? no heat, no pus, it's just pink",
        "someone online said to check for infection, so i did, and it's only a little red",
        "i saw pics of infected skin and panicked, mine is just dry and flaky",
        "a blog made me paranoid about infection but it's only peeling",
        "googled hives and mine looks nothing like that, just a few dry patches on the cheeks",
        "the puffiness around my eyes is already half gone since this morning",
    ],
)
def test_what_was_read_online_and_settling_puffiness_are_not_red_flags(text):
    assert keys(text) & {"pus", "hives", "face_swelling"} == set()


@pytest.mark.parametrize(
    "text, sign",
    [
        ("since the session he is panting even lying in bed", "breathing"),
        ("she's completely out of it since the treatment, doesn't answer properly", "faint_confused"),
    ],
)
def test_panting_and_being_out_of_it_are_read(text, sign):
    assert sign in keys(text)


def test_painting_and_patting_are_not_panting():
    assert keys("I've been patting the balm on gently and painting my nails") == set()


@pytest.mark.parametrize(
    "text",
    [
        "i fainted at my last blood test lol so pls tell me theres some kind of anesthetic involved",
        "i always pass out with injections, can i still have it",
        "I fainted at the dentist once, does it hurt",
        "i get dizzy and light-headed at blood tests, will i be ok",
        "my husband goes woozy with vaccines, can he lie down for it?",
    ],
)
def test_a_faint_at_a_blood_test_or_a_jab_told_before_a_treatment_is_a_question(text):
    assert "faint_confused" not in keys(text)


@pytest.mark.parametrize(
    "text",
    [
        "I never faint at blood tests but I passed out after my session",
        "the needling felt like a hundred injections and I nearly fainted",
        "felt faint in the car home, I'm usually fine with jabs",
        "dizzy since yesterday, I never get like this even with injections",
        "fainted at home tonight, I'd had my bloods done the week before",
        "i passed out after my blood test today and had microneedling this morning",
    ],
)
def test_a_faint_after_the_treatment_counts_whatever_jab_is_named_beside_it(text):
    assert "faint_confused" in keys(text)


def _needle_fear_set() -> list:
    path = Path(__file__).resolve().parents[2] / "bench" / "needle_fear.tsv"
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


def test_every_faint_after_a_treatment_in_the_needle_fear_set_is_a_red_flag():
    after = [row["text"] for row in _needle_fear_set() if row["kind"] == "after"]
    assert len(after) == 50
    assert [text for text in after if "faint_confused" not in keys(text)] == []


def test_most_questions_from_people_who_faint_at_blood_tests_get_no_emergency_reply():
    # Over-escalation is the side the list errs on: a question that names the needling in
    # the same clause as the faint ("can I still have it if I pass out around needles?")
    # still escalates. Before the rule, 33 of these 50 escalated; with it, 14 (README).
    before = [row["text"] for row in _needle_fear_set() if row["kind"] == "before"]
    assert len(before) == 50
    assert sum("faint_confused" in keys(text) for text in before) <= 14


@pytest.mark.parametrize(
    "text",
    [
        "my mum is asking if there is risk of peeling or infection",
        "any risk of scarring, bruising or infection",
        "is there a chance of swelling and infection afterwards",
    ],
)
def test_every_item_of_a_list_asked_about_is_asked_about(text):
    assert "pus" not in keys(text)


@pytest.mark.parametrize(
    "text", ["my face is red and infected", "it looks infected or something", "red, sore and infected since monday"]
)
def test_an_infection_in_a_list_told_is_still_told(text):
    assert "pus" in keys(text)


def test_how_long_the_redness_lasts_asked_for_someone_with_a_date_ahead_is_a_question():
    text = "my wife has a wedding to attend next week, how long does the redness usually last after microneedling?"
    assert not is_after_treatment_report(text)


def test_how_long_the_redness_lasts_asked_days_after_a_treatment_is_still_a_report():
    assert is_after_treatment_report("had microneedling 3 days ago, how long does the redness last? still very red")
