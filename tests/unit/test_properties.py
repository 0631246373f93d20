"""Generated bad input (hypothesis) for every parser a visitor's text reaches.

Each parser gets hostile text: control characters, bidi overrides, lone surrogates, emoji,
markup, very long strings. It must raise nothing but its documented rejection, give every
rejection a reason a person can read, and return only values that keep their invariants.

CI is deterministic: the `clinic` profile derandomises and keeps no example database. A
longer hunt, with fresh examples each run:
    HYPOTHESIS_PROFILE=explore .venv/bin/python -m pytest -q tests/unit/test_properties.py
Every bug these properties found stays covered by an `@example` (see the comment on each).
"""

from __future__ import annotations

import calendar
import csv
import io
import os
import re
import shutil
import tempfile
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import phonenumbers
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from actions.person_names import person_names
from channels.payload import MAX_METADATA_KEYS, MAX_SENDER_CHARS, PayloadError, TooLong, WebhookMessage, check_payload
from clinic.dates import MAX_DAYS_AHEAD, DayOnly, PreferredTime, TimeProblem, parse_preferred_time
from clinic.limits import MAX_MESSAGE_CHARS
from clinic.names import _INTRO, _NOT_NAME_WORDS, MAX_NAME_CHARS, MAX_NAME_WORDS, NameProblem, ValidName, parse_name
from clinic.paths import REPO_ROOT
from clinic.phones import PhoneProblem, ValidPhone, parse_phone
from clinic.reasons import Reason
from clinic.red_flags import RedFlag, default_signs, fever_temperature, find_red_flags
from clinic.settings import WEEKDAYS, load_settings
from clinic.texts import load_messages, render_reason
from clinic.triage import Urgency, is_after_treatment_report, is_general_question, triage
from staff import review
from training_data.nlu_files import nlu_files, normalise, read_blocks

settings.register_profile(
    "clinic", derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("explore", database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "clinic")
settings.load_profile(_PROFILE)
_SCALE = 20 if _PROFILE == "explore" else 1


def runs(examples: int) -> settings:
    """`examples` generated inputs per property in CI (the whole file stays within ~20 s)."""
    return settings(max_examples=examples * _SCALE)


SETTINGS = load_settings()
MESSAGES = load_messages()
REGION = SETTINGS.phone_region

# --- hostile text ------------------------------------------------------------------------

ANY_CHAR = st.characters(exclude_categories=())  # surrogates, controls and unassigned included
FRAGMENTS = [
    "\u202e",  # right-to-left override
    "\u202d",
    "\u2066",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\r\n",
    "\n",
    "\t",
    "\u2028",
    "\x85",
    "\ud800",  # lone surrogates: json.loads turns "\ud800" escapes into them
    "\udfff",
    "🙂",
    "👩🏽‍⚕️",
    "🏳️‍🌈",
    "𝟑𝟖",
    "٣٨",
    "½",
    "İ",
    "ß",
    "ﬃ",
    "<script>alert(1)</script>",
    "<b>",
    "</div>",
    "{{ 7*7 }}",
    "{clinic_phone}",
    "${jndi:ldap://x/a}",
    "%s%n",
    "' OR 1=1 --",
    "[x](intent)",
    "- intent: greet",
    "examples: |",
    "\\",
    '"',
    ",",
]


def hostile_text(words: Sequence[str] = (), max_repeat: int = 400) -> st.SearchStrategy[str]:
    """Arbitrary text, fragments above mixed with a parser's own words, and long repeats."""
    piece = st.sampled_from(FRAGMENTS + list(words)) | st.text(ANY_CHAR, max_size=6)
    pieces = st.lists(piece, max_size=14)
    return st.one_of(
        st.text(ANY_CHAR, max_size=120),
        pieces.map(" ".join),
        pieces.map("".join),
        st.builds(lambda part, times: part * times, pieces.map(" ".join), st.integers(2, max_repeat)),
    )


def assert_readable(reason: Reason) -> None:
    """A rejection names a message of messages.yml that renders to a whole sentence."""
    assert reason.code in MESSAGES, f"no message {reason.code!r} in messages.yml"
    text = render_reason(reason, SETTINGS)
    assert text.strip() and "{" not in text, text


# --- the webhook payload -----------------------------------------------------------------

SENDER_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:@-")
MESSAGE_ID_CHARS = SENDER_CHARS - set(".:@")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text(max_repeat=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(hostile_text(max_repeat=5), inner, max_size=25),
    max_leaves=30,
)
valid_sender = st.text(st.sampled_from(sorted(SENDER_CHARS)), min_size=1, max_size=MAX_SENDER_CHARS)
valid_message_id = st.text(st.sampled_from(sorted(MESSAGE_ID_CHARS)), min_size=8, max_size=64)
webhook_bodies = st.fixed_dictionaries(
    {},
    optional={
        "sender": valid_sender | valid_sender.map(lambda s: s + "\n") | json_values,
        "message": hostile_text(max_repeat=3000) | json_values,
        "metadata": st.none() | json_values,
        "message_id": valid_message_id | valid_message_id.map(lambda s: s + "\n") | json_values,
        "retry": st.booleans() | json_values,
    },
)


@runs(300)
@given(body=webhook_bodies | json_values, limit=st.none() | st.integers(1, 2 * MAX_MESSAGE_CHARS))
# Found here: `$` in the sender and message-id patterns also matched before a final "\n", so an
# id with a newline (log injection, the thing the pattern was for) was accepted. Now `\Z`.
@example(body={"sender": "abc\n", "message": "hi"}, limit=None)
@example(body={"sender": "abc", "message": "hi", "message_id": "abcdefgh\n"}, limit=None)
def test_payload_check_refuses_with_a_reason_or_accepts_a_well_formed_message(body: Any, limit: Any) -> None:
    checked = check_payload(body) if limit is None else check_payload(body, limit)
    limit = MAX_MESSAGE_CHARS if limit is None else limit
    if isinstance(checked, PayloadError):
        assert checked.error.strip() and checked.error.isprintable()
        return
    sender = checked.sender
    assert 1 <= len(sender) <= MAX_SENDER_CHARS and set(sender) <= SENDER_CHARS, repr(sender)
    if isinstance(checked, TooLong):
        assert checked.length == len(body["message"]) > limit == checked.limit
        return
    assert isinstance(checked, WebhookMessage)
    assert checked.text == body["message"] and checked.text.strip()
    assert len(checked.text) <= limit <= 2 * MAX_MESSAGE_CHARS
    assert checked.metadata is None or (
        isinstance(checked.metadata, dict) and len(checked.metadata) <= MAX_METADATA_KEYS
    )
    if checked.message_id is not None:
        assert 8 <= len(checked.message_id) <= 64 and set(checked.message_id) <= MESSAGE_ID_CHARS
    assert isinstance(checked.retry, bool) and (checked.message_id is not None or not checked.retry)


@runs(100)
@given(sender=valid_sender, text=hostile_text(max_repeat=50))
def test_payload_check_passes_any_visitor_text_within_the_limit_unchanged(sender: str, text: str) -> None:
    checked = check_payload({"sender": sender, "message": text})
    if not text.strip():
        assert checked == PayloadError("'message' is empty")
    elif len(text) > MAX_MESSAGE_CHARS:
        assert checked == TooLong(sender, len(text), MAX_MESSAGE_CHARS)
    else:
        assert checked == WebhookMessage(sender, text, None)


# --- preferred times ---------------------------------------------------------------------

DATE_WORDS = [
    *WEEKDAYS,
    "tues",
    "thurs",
    "next",
    "this",
    "tomorrow",
    "today",
    "day after tomorrow",
    "next week",
    "in 2 weeks",
    "in 999999999999999999999 weeks",
    "in 3 days",
    "yesterday",
    "ago",
    "the 31st",
    "the 3rd",
    "the 99th",
    "dec 3",
    "feb 30",
    "12/03",
    "99/99/9999",
    "at 3",
    "at 10am",
    "2pm",
    "9:30",
    "23.59",
    "noon",
    "morning",
    "evening",
    "asap",
    "any weekday",
    "whenever",
]
nows = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2035, 12, 31),
    timezones=st.sampled_from([timezone.utc, SETTINGS.zone]),
)
pending_days = st.none() | st.dates(min_value=date(2023, 12, 1), max_value=date(2036, 6, 30))


def assert_bookable(result: Any, now: datetime) -> None:
    """Accepted times are real, coming, open and within the window; rejections are readable."""
    local_now = now.astimezone(SETTINGS.zone)
    last_day = local_now.date() + timedelta(days=MAX_DAYS_AHEAD)
    if isinstance(result, TimeProblem):
        assert_readable(result)
    elif isinstance(result, DayOnly):
        assert local_now.date() <= result.day <= last_day
        assert not SETTINGS.opening_hours[WEEKDAYS[result.day.weekday()]].is_closed
    else:
        assert isinstance(result, PreferredTime), result
        moment = result.moment
        assert moment.tzinfo == SETTINGS.zone
        wall = moment.astimezone(timezone.utc).astimezone(SETTINGS.zone)
        assert moment.replace(tzinfo=None) == wall.replace(tzinfo=None)  # a clock time that exists that day
        assert local_now < moment and moment.date() <= last_day
        hours = SETTINGS.opening_hours[WEEKDAYS[moment.weekday()]]
        assert hours.opens is not None and hours.closes is not None
        assert hours.opens <= moment.time() < hours.closes
        assert PreferredTime.from_iso(result.iso) == result


@runs(250)
@given(text=hostile_text(DATE_WORDS, max_repeat=60), now=nows, pending=pending_days)
def test_any_text_is_a_bookable_time_or_a_readable_problem(text: str, now: datetime, pending: Any) -> None:
    assert_bookable(parse_preferred_time(text, SETTINGS, now, pending), now)


MONTHS = [calendar.month_name[m] for m in range(1, 13)]


@runs(120)
@given(
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    hour=st.integers(1, 12),
    half=st.sampled_from(["am", "pm"]),
    short=st.booleans(),
    now=nows,
)
# Found here: a date that does not exist ("feb 30") was dropped without a word and the time
# alone booked TODAY at 2pm. Now a date dateparser can't read is "unreadable".
@example(month=2, day=30, hour=2, half="pm", short=True, now=datetime(2026, 11, 25, 10, tzinfo=SETTINGS.zone))
def test_a_month_and_day_is_kept_or_refused(
    month: int, day: int, hour: int, half: str, short: bool, now: datetime
) -> None:
    name = MONTHS[month - 1][:3] if short else MONTHS[month - 1]
    result = parse_preferred_time(f"{name} {day} at {hour}{half}", SETTINGS, now)
    assert_bookable(result, now)
    if isinstance(result, PreferredTime):
        assert (result.moment.month, result.moment.day) == (month, day)
        assert result.moment.hour % 12 == hour % 12


@runs(80)
@given(
    weekday=st.integers(0, 6),
    which=st.sampled_from(["", "next ", "this ", "on ", "coming "]),
    hour=st.integers(1, 12),
    half=st.sampled_from(["am", "pm", ""]),
    now=nows,
)
def test_a_weekday_is_that_weekday(weekday: int, which: str, hour: int, half: str, now: datetime) -> None:
    result = parse_preferred_time(f"{which}{WEEKDAYS[weekday]} at {hour}{half}", SETTINGS, now)
    assert_bookable(result, now)
    if isinstance(result, PreferredTime):
        assert result.moment.weekday() == weekday
        assert result.moment.date() > now.astimezone(SETTINGS.zone).date()  # never today


# --- phone numbers -----------------------------------------------------------------------

PHONE_WORDS = ["+1", "+44", "212", "555", "0123", "(212)", "020 7946 0958", "ext. 12", "x9", "tel:", "00", "#", "*"]
REGIONS = sorted({REGION, "US", "GB", "DE", "FR", "IN", "AU", "BR", "JP"})
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


@runs(250)
@given(text=hostile_text(PHONE_WORDS, max_repeat=60), region=st.sampled_from(REGIONS))
# Found here: phonenumbers takes a 14-digit German national number as valid, and its "E.164"
# had 16 digits (E.164 allows 15), a number no phone system can dial.
@example(text="30000000000000", region="DE")
def test_any_text_is_an_e164_number_or_a_readable_problem(text: str, region: str) -> None:
    result = parse_phone(text, region)
    if isinstance(result, PhoneProblem):
        assert_readable(result)
        return
    assert isinstance(result, ValidPhone) and E164.fullmatch(result.e164), result
    number = phonenumbers.parse(result.e164)
    assert phonenumbers.is_valid_number(number)
    assert parse_phone(result.e164, region) == result  # already normalised


def _example_numbers() -> List[phonenumbers.PhoneNumber]:
    kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
    found = (phonenumbers.example_number_for_type(region, kind) for region in REGIONS for kind in kinds)
    return [number for number in found if number is not None]


FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.RFC3966,
]


@runs(80)
@given(
    number=st.sampled_from(_example_numbers()),
    shape=st.sampled_from(FORMATS),
    around=st.sampled_from(["{}", "call me on {} please", "my number is {}.", "{} 🙂", "\u202e{}", "<b>{}</b>"]),
)
def test_a_real_number_in_any_format_comes_back_as_its_e164(number: Any, shape: Any, around: str) -> None:
    region = phonenumbers.region_code_for_number(number)
    written = phonenumbers.format_number(number, shape)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert parse_phone(around.format(written), region) == ValidPhone(e164)


# --- names -------------------------------------------------------------------------------

NAME_WORDS = ["my name is", "i'm", "call me", "jane", "O'Neil", "Ana-María", "st.", "yes", "book", "李", "محمد"]
SEPARATORS = set(" '’-.")


def assert_a_name(result: Any) -> None:
    if isinstance(result, NameProblem):
        assert_readable(result)
        return
    assert isinstance(result, ValidName), result
    name = result.name
    assert name.strip() == name and 0 < len(name) <= MAX_NAME_CHARS and len(name.split()) <= MAX_NAME_WORDS
    assert unicodedata.normalize("NFC", name) == name
    assert all(ch in SEPARATORS or unicodedata.category(ch)[0] in "LM" for ch in name), ascii(name)
    assert not any(word.lower().strip(".'’") in _NOT_NAME_WORDS for word in name.split())


@runs(300)
@given(
    text=hostile_text(NAME_WORDS, max_repeat=40), entities=st.lists(hostile_text(NAME_WORDS, max_repeat=3), max_size=2)
)
# Found here: number signs other than 0-9 passed as letters ("½", "Jo²", "Ⅻ").
@example(text="½", entities=[])
@example(text="Jo²", entities=[])
def test_any_text_is_a_name_or_a_readable_problem(text: str, entities: List[str]) -> None:
    assert_a_name(parse_name(text, entities))


letter = st.characters(categories=["Lu", "Ll", "Lo"])
mark = st.characters(categories=["Mn", "Mc"])
name_word = st.lists(st.tuples(letter, st.lists(mark, max_size=2).map("".join)).map("".join), min_size=1, max_size=8)


@runs(200)
@given(words=st.lists(name_word.map("".join), min_size=1, max_size=3), form=st.sampled_from(["NFC", "NFD"]))
# Found here: letters written with combining marks (a decomposed "José", Hindi "प्रिया") were
# refused as "not letters", though a name may be in any script.
@example(words=["Jose\u0301"], form="NFD")
@example(words=["प्रिया"], form="NFC")
@example(words=["ı"], form="NFC")  # dotless i: capitalised, it is "I"
def test_a_name_in_any_script_is_accepted(words: List[str], form: str) -> None:
    typed = unicodedata.normalize(form, " ".join(words))
    if (
        _INTRO.match(typed)
        or any(word.lower() in _NOT_NAME_WORDS for word in typed.split())
        or len(typed) > MAX_NAME_CHARS
    ):
        return
    result = parse_name(typed)
    assert isinstance(result, ValidName), (ascii(typed), result)
    # As typed (in NFC); typed all in lower case, each word capitalised.
    kept = unicodedata.normalize("NFC", typed)
    capitalised = " ".join(word[:1].upper() + word[1:] for word in kept.split(" "))
    assert result.name == (capitalised if kept.islower() else kept), (ascii(typed), result)
    assert_a_name(result)


@runs(25)
@given(text=hostile_text(NAME_WORDS + ["Jane Doe", "Dr. Smith", "Mr John Smith"], max_repeat=40))
@example(text="My name is Jane Doe")
# Found here: a lone surrogate made spaCy raise UnicodeEncodeError in the name question.
@example(text="Jane \ud800 Doe")
def test_the_name_question_with_spacy_never_fails(text: str) -> None:
    """What the booking form runs on an answer to "What's your name?"."""
    found = person_names(text)
    # Names are spans of the (first 200 characters of the) text; a lone surrogate reads as "?".
    seen = text[:200].encode("utf-8", "replace").decode("utf-8")
    assert all(isinstance(name, str) and name and name in seen for name in found)
    assert_a_name(parse_name(text, found))


# --- red flags and triage ----------------------------------------------------------------

RED_FLAG_WORDS = [
    "fever",
    "no fever",
    "not",
    "pus",
    "bleeding",
    "won't stop",
    "can't breathe",
    "39.5",
    "101.8f",
    "temp",
]
SIGN_KEYS = {sign.key for sign in (*default_signs(), *SETTINGS.red_flags)}


@runs(250)
@given(text=hostile_text(RED_FLAG_WORDS, max_repeat=100))
def test_any_report_is_triaged_without_failing(text: str) -> None:
    result = triage(text, SETTINGS.red_flags)
    assert all(isinstance(flag, RedFlag) and flag.key in SIGN_KEYS and flag.evidence for flag in result.red_flags)
    assert result.urgency == (Urgency.EMERGENCY if result.red_flags else Urgency.CALL_CLINIC)
    assert isinstance(is_general_question(text), bool) and isinstance(is_after_treatment_report(text), bool)


def _plain_phrasings() -> List[Tuple[str, str]]:
    """(sign, phrasing) for every phrasing written as whole words, as a visitor might type it."""
    return [
        (sign.key, " ".join(words))
        for sign in default_signs()
        for words in sign.phrasings
        if not any(word.endswith("*") for word in words)
    ]


@runs(200)
@given(before=hostile_text(RED_FLAG_WORDS, max_repeat=20), flag=st.sampled_from(_plain_phrasings()))
def test_a_red_flag_sentence_is_found_whatever_came_before(before: str, flag: Tuple[str, str]) -> None:
    """A missed red flag is the one failure not allowed: a sentence of its own always counts."""
    key, phrasing = flag
    assert key in {found.key for found in find_red_flags(f"{before}. {phrasing}.")}


@runs(150)
@given(
    before=hostile_text(RED_FLAG_WORDS, max_repeat=20),
    celsius=st.floats(38.1, 42.0),
    shape=st.sampled_from(
        ["{c:.1f}c", "{c:.1f} °C", "temp {c:.1f}", "{f:.1f}f", "{f:.1f} degrees f", "temp of {f:.1f}"]
    ),
)
# Found here: a negation in the sentence BEFORE the temperature hid it ("not feeling great.
# 39.2 C this morning" was no red flag): the clause boundary between them was not seen.
@example(before="I am not feeling great", celsius=39.2, shape="{c:.1f} °C")
def test_a_fever_temperature_is_found_whatever_came_before(before: str, celsius: float, shape: str) -> None:
    reading = shape.format(c=celsius, f=celsius * 9 / 5 + 32)
    assert fever_temperature(f"{before}. {reading} this morning") is not None


# --- the review file staff label and import ----------------------------------------------


def read_labels_from(data: bytes) -> List[Tuple[int, str, str]]:
    """As `python -m staff review --apply FILE` opens the file."""
    return review.read_labels(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""))


def _csv(rows: List[List[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([[cell.replace("\x00", "") for cell in row] for row in rows])  # NUL: can't write it
    return out.getvalue()


headers = st.sampled_from(
    [
        list(review.EXPORT_FIELDS),
        ["topic", "message"],
        ["message"],
        ["topic"],
        [],
        ["Topic", "Message"],
        ["\ufefftopic", "message"],
    ]
)
cell = hostile_text(["cost", "faq/cost", "greet", "skip", "[phone]"], max_repeat=20)
csv_texts = st.builds(
    lambda header, rows: _csv([header, *rows]), headers, st.lists(st.lists(cell, max_size=7), max_size=6)
)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])
csv_files = st.one_of(
    st.binary(max_size=500),
    st.builds(lambda text, encoding: text.encode(encoding, "replace"), csv_texts, encodings),
    st.builds(lambda size: b"topic,message\ncost," + b"x" * size + b"\n", st.integers(131_000, 140_000)),
)


@runs(200)
@given(data=csv_files)
# Found here: a NUL byte, a field over csv's 128 KiB limit and a file not in UTF-8 crashed
# `staff review --apply` with a traceback instead of saying what is wrong with the file.
@example(data=b"topic,message\ncost,hi\x00there\n")
@example(data=b"topic,message\ncost," + b"x" * 140_000 + b"\n")
@example(data=b"topic,message\ncost,caf\xe9\n")
def test_any_review_file_is_read_or_refused_with_a_reason(data: bytes) -> None:
    try:
        rows = read_labels_from(data)
    except review.LabelError as error:
        assert str(error).strip()
        return
    for line, label, message in rows:
        assert isinstance(line, int) and line >= 2
        assert label == label.strip() and message == message.strip()


exported = st.lists(hostile_text(max_repeat=20), min_size=1, max_size=5)


@runs(100)
@given(messages=exported, bom=st.booleans())
# Found here: a file saved again by a spreadsheet as "CSV UTF-8" starts with a byte-order mark,
# and its first column was then not "topic". And a NUL or a lone surrogate in a stored message
# made the export fail (csv can't write a NUL; UTF-8 has no surrogates).
@example(messages=["how much is it"], bom=True)
@example(messages=["hi\x00there"], bom=False)
@example(messages=["\ud800"], bom=False)
def test_an_exported_review_file_reads_back(messages: List[str], bom: bool) -> None:
    items = [review.ReviewItem(message=text, key=str(i)) for i, text in enumerate(messages)]
    buffer = io.BytesIO()
    handle = io.TextIOWrapper(buffer, encoding="utf-8-sig" if bom else "utf-8", newline="")
    review.export(items, handle)
    handle.flush()
    rows = read_labels_from(buffer.getvalue())
    assert [label for _, label, _ in rows] == [""] * len(messages)
    for (_, _, message), text in zip(rows, messages):
        if not any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in text):
            assert message == text.strip()


NLU_DIR = REPO_ROOT / "data" / "nlu"
EXAMPLES_BEFORE = sum(len(block.examples) for path in nlu_files(NLU_DIR.parent) for block in read_blocks(path))


def _nlu_snapshot(data_dir: Path) -> Dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in nlu_files(data_dir)}


LABELS = ["cost", "faq/cost", "greet", "out_of_scope", "skip", "", "no_such_topic"]


@runs(60)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(2, 99), st.sampled_from(LABELS) | hostile_text(max_repeat=3), hostile_text(max_repeat=20)
        ),
        max_size=4,
    )
)
# Found here: a labelled message is written into the YAML training files as it is, so a line
# break in it added lines of its own (a whole new intent block), and a control character or a
# lone surrogate left a file Rasa can't read. Both come from visitors: the console's Teach page
# labels stored messages, and a CSV cell may hold line breaks.
@example(rows=[(2, "greet", "hello there\n- intent: evil\n  examples: |\n    - pwned")])
@example(rows=[(2, "greet", "hi\x01 you")])
@example(rows=[(2, "greet", "hi \ud800")])
def test_labelled_rows_keep_the_training_files_readable(rows: List[Tuple[int, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        shutil.copytree(NLU_DIR, data_dir / "nlu")
        before = _nlu_snapshot(data_dir)
        try:
            result = review.apply_label_rows(rows, data_dir)
        except review.LabelError as error:
            assert str(error).strip()
            assert _nlu_snapshot(data_dir) == before  # one bad row: nothing written
            return
        blocks = [block for path in nlu_files(data_dir) for block in read_blocks(path)]
        for path in nlu_files(data_dir):
            entries = yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]  # Rasa could read it
            assert [entry["intent"] for entry in entries if "intent" in entry] == [
                block.intent for block in blocks if block.path == path
            ]
        for intent, added in result.added.items():
            examples = {
                normalise(example.text) for block in blocks if block.intent == intent for example in block.examples
            }
            assert all(normalise(message) in examples for message in added)
        assert sum(len(block.examples) for block in blocks) == EXAMPLES_BEFORE + result.added_count
