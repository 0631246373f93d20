"""Red flags in what a visitor writes after a treatment: the signs in red_flags.yml.

Reads messages as people type them: typos (edit distance with swapped letters, rapidfuzz), slang listed as
phrasings, temperatures as numbers in either unit, negation inside a clause ("no fever")
and words far apart in a long message (`together` groups). It only routes: a match means
"call the emergency number first"; it never says a symptom is fine.
Over-escalation is acceptable; a missed red flag is not. So where a reading is uncertain
(a negation that might not apply, a number that might be a temperature) it errs towards
a match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml
from rapidfuzz.distance import OSA

from clinic.fresh import FreshFile
from clinic.paths import RED_FLAGS_PATH

# Words that make a following sign absent ("no fever"), within the same clause.
_NEGATORS = frozenset(
    {
        "no",
        "not",
        "without",
        "never",
        "none",
        "nor",
        "neither",
        "zero",
        "isnt",
        "arent",
        "wasnt",
        "dont",
        "doesnt",
        "didnt",
        "havent",
        "hasnt",
        "hadnt",
        "aint",
        "nothing",
        "nothings",  # "nothing's oozing": the apostrophe is gone by now
        "denies",
        # Scots: "nae fever", "it isnae oozing" ("cannae" is "can't", which a sign carries itself).
        "nae",
        "isnae",
        "wasnae",
        "dinnae",
        "didnae",
        "hasnae",
        "havnae",
    }
)
# ...unless doubt sits between them ("not sure if it's a fever"): then the sign counts.
_DOUBT = frozenset({"sure", "know", "if", "whether", "maybe", "might", "could", "tell", "certain"})
# Clause boundaries end a negation's reach ("no fever, but pus").
_BOUNDARY_WORDS = frozenset({"but", "however", "though", "although", "except", "yet", "so"})
_NEGATION_REACH = 4  # tokens between a negator and the sign it negates
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?(?:'[a-z]+)?|[.,;:!?]")
_TEMPERATURE = re.compile(
    r"(?<![\d.])(?P<value>\d{2,3}(?:[.,]\d{1,2})?)\s*(?P<unit>°\s*[cf]\b|°|degrees?\s*[cf]?\b|deg\b|[cf]\b|celsius|fahrenheit)?",
    re.IGNORECASE,
)
_TEMPERATURE_WORDS = re.compile(r"\b(temp\w*|fever\w*|thermometer|degrees?|°|celsius|fahrenheit)", re.IGNORECASE)
FEVER_CELSIUS = 38.0
FEVER_FAHRENHEIT = 100.4


class RedFlagsError(ValueError):
    """The red-flag file is malformed."""


@dataclass(frozen=True)
class Sign:
    key: str
    sign: str  # what a clinician reads
    why: str
    phrasings: Tuple[Tuple[str, ...], ...] = ()
    together: Tuple[Tuple[Tuple[str, ...], ...], ...] = ()  # groups of phrasings, all needed
    temperature: bool = False
    # Words that, just before a `together` match in its clause, make it mild ("a bit puffy").
    unless_mild: Tuple[Tuple[str, ...], ...] = ()
    # Words anywhere in the message saying a `together` match is getting better ("going down")
    # make it an ordinary worry, unless it is also worse, or one of `never_resolving` (the
    # lips, the throat) is mentioned without being said to be fine.
    unless_resolving: Tuple[Tuple[str, ...], ...] = ()
    never_resolving: Tuple[Tuple[str, ...], ...] = ()
    # Words that, just before a phrasing in its clause, make it a question about what could
    # happen ("will it give me an infection?"), not a report.
    unless_asked: Tuple[Tuple[str, ...], ...] = ()
    # Words right after a phrasing, in its clause, that make it about something else
    # ("can't see any difference" in the results, not in the visitor's sight).
    unless_followed_by: Tuple[Tuple[str, ...], ...] = ()
    # Matched by the severity model instead of phrasings (clinic/severity.py): a report
    # that reads like a red flag in other words.
    described: bool = False
    # Words that, just before a qualifier (a later `together` group) in its clause, turn it
    # round: "soreness eases a bit more each day" is pain getting better, not worse.
    unless_turned_by: Tuple[Tuple[str, ...], ...] = ()
    # Phrasings that stand for a fever (chills, shivers) and that a measured normal
    # temperature given after them answers: "a shivery moment, but my temperature is 36.5".
    answered_by_normal_temperature: Tuple[Tuple[str, ...], ...] = ()
    # Words anywhere in a phrasing's clause that say it happened somewhere else, not after
    # the treatment: "I fainted at my last blood test, is there numbing?" is a question
    # from someone who fears needles.
    unless_in_clause: Tuple[Tuple[str, ...], ...] = ()
    # Words that tie such a clause to the treatment or the time since it, so the match counts
    # after all: "the needling felt like a hundred injections and I nearly fainted".
    still_when_in_clause: Tuple[Tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class RedFlag:
    key: str
    sign: str
    why: str
    evidence: str  # the words that matched, for staff


@dataclass
class _Tokens:
    words: List[str]
    clause: List[int] = field(default_factory=list)  # clause number of each word
    # Where each word pattern matches, worked out once per message: the list has hundreds
    # of phrasings, a message a few dozen words.
    _positions: Dict[str, FrozenSet[int]] = field(default_factory=dict)
    end_clause: int = 0  # the clause the text ends in (a boundary after the last word starts one)
    # Word positions by first letter: a pattern can only match a word that starts with its
    # own first letter (typos are allowed after it), so most words are never compared.
    _by_initial: Optional[Dict[str, List[int]]] = None
    # Everyday words one slip from a sign's word, never read as its typo (red_flags.yml).
    other_words: FrozenSet[str] = frozenset()

    def positions(self, pattern: str) -> FrozenSet[int]:
        found = self._positions.get(pattern)
        if found is None:
            if self._by_initial is None:
                self._by_initial = {}
                for index, word in enumerate(self.words):
                    self._by_initial.setdefault(word[:1], []).append(index)
            candidates = self._by_initial.get(pattern[:1], [])
            found = frozenset(
                i for i in candidates if _word_matches(pattern, self.words[i], self.words[i] in self.other_words)
            )
            self._positions[pattern] = found
        return found


def load_signs(path: Path = RED_FLAGS_PATH, extra: Optional[Mapping[str, Any]] = None) -> Tuple[Sign, ...]:
    """The signs of red_flags.yml, plus the clinic's own (`red_flags:` in clinic.yml)."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise RedFlagsError(f"{path}: {error}") from None
    entries = dict(raw.get("signs") or {})
    for key, entry in (extra or {}).items():
        entries[f"clinic_{key}" if key in entries else key] = entry
    return tuple(parse_sign(key, entry, path) for key, entry in entries.items())


def parse_sign(key: str, entry: Any, path: Path = RED_FLAGS_PATH) -> Sign:
    where = f"{path}: sign '{key}'"
    if not isinstance(entry, Mapping) or not entry.get("sign") or not entry.get("why"):
        raise RedFlagsError(f"{where} needs a `sign` and a `why`")
    phrasings = _phrasings(entry.get("phrasings") or [], where)
    groups = entry.get("together") or []
    if not isinstance(groups, list) or not all(isinstance(group, list) and group for group in groups):
        raise RedFlagsError(f"{where}: `together` must be a list of lists of phrasings")
    together = tuple(_phrasings(group, where) for group in groups)
    if not phrasings and not together and not entry.get("temperature") and not entry.get("described"):
        raise RedFlagsError(f"{where} needs `phrasings`, `together`, `temperature: true` or `described: true`")
    mild = _phrasings(entry.get("unless_mild") or [], where)
    return Sign(
        key,
        str(entry["sign"]),
        str(entry["why"]),
        phrasings,
        together,
        bool(entry.get("temperature")),
        mild,
        _phrasings(entry.get("unless_resolving") or [], where),
        _phrasings(entry.get("never_resolving") or [], where),
        _phrasings(entry.get("unless_asked") or [], where),
        _phrasings(entry.get("unless_followed_by") or [], where),
        bool(entry.get("described")),
        _phrasings(entry.get("unless_turned_by") or [], where),
        _phrasings(entry.get("answered_by_normal_temperature") or [], where),
        _phrasings(entry.get("unless_in_clause") or [], where),
        _phrasings(entry.get("still_when_in_clause") or [], where),
    )


def _phrasings(raw: Iterable[Any], where: str) -> Tuple[Tuple[str, ...], ...]:
    result = []
    for phrasing in raw:
        words = tuple(_words(str(phrasing)))
        if not words:
            raise RedFlagsError(f"{where}: the phrasing {phrasing!r} has no words")
        result.append(words)
    return tuple(result)


# Punctuation spoken to a voice-typing keyboard, which types it as words ("face pain comma
# like a knife period"): read as the punctuation, so clauses and negation work as typed.
_SPOKEN_PUNCTUATION = re.compile(
    r"\b(comma|full stop|question mark|exclamation (?:mark|point)|semicolon|new line|period(?=\W*$))\b"
)
_SPOKEN_AS = {"comma": ",", "semicolon": ";", "question mark": "?"}
# A denial of one-word items joined by commas and a final "or"/"nor" ("no rash, bumps or
# welts"); with "and" the list may not all be denied ("no fever, pus and swelling"), so not.
_DENIED_LIST = re.compile(r"\b(?:no|not any|without|never had)\s+[a-z]+(?:\s*,\s*[a-z]+)+,?\s+n?or\b")
# "risk of scarring, bruising or infection": one question about a short list, the same way.
_ASKED_LIST = re.compile(r"\b(?:risks?|chances?|possibility) of\s+[a-z]+(?:\s*,\s*[a-z]+)+,?\s+(?:or|and)\b")


def _normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'")
    # "neither of us has a fever": the negation reaches the sign as "neither has a fever".
    text = re.sub(r"\b(neither|none) of (us|them|the two of us|the 2 of us|the kids)\b", r"\1", text)
    text = _SPOKEN_PUNCTUATION.sub(lambda match: _SPOKEN_AS.get(match[1], "."), text)
    # "no bumps, welts or rash": one denial of a short list, so its commas don't end the clause.
    text = _DENIED_LIST.sub(lambda match: match[0].replace(",", ""), text)
    text = _ASKED_LIST.sub(lambda match: match[0].replace(",", ""), text)
    return re.sub(r"'(?=[a-z])", "", text)  # "won't" -> "wont", "can't" -> "cant"


def _words(phrasing: str) -> List[str]:
    """A phrasing's words; a trailing * (any ending) is kept."""
    cleaned = re.sub(r"[^a-z0-9*.' ]", " ", _normalise(phrasing).replace("-", " ").replace("/", " "))
    return [word.strip(".'") for word in cleaned.split() if word.strip(".'")]


def _tokens(text: str) -> _Tokens:
    words: List[str] = []
    clauses: List[int] = []
    clause = 0
    for token in _TOKEN.findall(_normalise(text)):
        if token in ".,;:!?" or token in _BOUNDARY_WORDS:
            clause += 1
            if token in ".,;:!?":
                continue
        words.append(token)
        clauses.append(clause)
    return _Tokens(words, clauses, end_clause=clause, other_words=default_other_words())


def _word_matches(pattern: str, word: str, strict: bool = False) -> bool:
    """Typos: one slip (a wrong, missing, extra or swapped letter) in words of 5+ letters, two
    in 10+; the first letter must be right (typos rarely hit it, and "never"/"fever" or
    "painted"/"fainted" must not match). `strict`: the word is another word (red_flags.yml,
    `other_words`), so only its exact spelling or a listed ending counts."""
    if pattern.endswith("*"):
        stem = pattern[:-1]
        if word.startswith(stem):
            return True
        if strict or len(stem) < 5 or word[:1] != stem[:1]:
            return False
        return OSA.distance(word, stem) <= 1 or (len(stem) >= 6 and OSA.distance(word[: len(stem)], stem) <= 1)
    if pattern == word:
        return True
    allowed = 2 if len(pattern) >= 10 else 1 if len(pattern) >= 5 else 0
    return (
        allowed > 0
        and not strict
        and word[:1] == pattern[:1]
        and abs(len(word) - len(pattern)) <= allowed
        and OSA.distance(word, pattern) <= allowed
    )


def _find(phrasing: Sequence[str], tokens: _Tokens) -> List[int]:
    """Start positions where the phrasing's words appear in a row."""
    return sorted(
        start
        for start in tokens.positions(phrasing[0])
        if all(start + offset in tokens.positions(pattern) for offset, pattern in enumerate(phrasing[1:], 1))
    )


def _negated(start: int, tokens: _Tokens, phrasing: Sequence[str]) -> bool:
    """True when a negator in the same clause, a few words before, denies this sign."""
    if phrasing[0] in _NEGATORS:
        return False  # the phrasing carries its own negation ("won't stop")
    clause = tokens.clause[start]
    for index in range(start - 1, max(-1, start - 1 - _NEGATION_REACH), -1):
        if tokens.clause[index] != clause:
            return False
        if tokens.words[index] in _DOUBT:
            return False
        if tokens.words[index] in _NEGATORS:
            # "no joke they're huge", "no lie": emphasis, not a denial.
            return tokens.words[index + 1 : index + 2] != [] and tokens.words[index + 1] not in _EMPHASIS_AFTER_NO
    return False


_EMPHASIS_AFTER_NO = frozenset({"joke", "joking", "kidding", "lie", "lying", "cap", "exaggeration", "exaggerating"})


def _mild(start: int, tokens: _Tokens, mild: Sequence[Sequence[str]], over_a_list: bool = False) -> bool:
    clause = tokens.clause[start]
    begin = start - 3
    if over_a_list and start >= 2 and tokens.words[start - 1] in ("or", "and"):
        # "risk of peeling or infection": what is asked about is every item of the list.
        begin -= 2
    window = _Tokens(
        [w for i, w in enumerate(tokens.words[max(0, begin) : start], max(0, begin)) if tokens.clause[i] == clause]
    )
    return any(_find(words, window) for words in mild)


def _followed(start: int, length: int, tokens: _Tokens, after: Sequence[Sequence[str]]) -> bool:
    """One of `after` within the three words after a match, in its clause."""
    clause = tokens.clause[start]
    end = start + length
    window = _Tokens([w for i, w in enumerate(tokens.words[end : end + 3], end) if tokens.clause[i] == clause])
    return any(_find(words, window) for words in after)


def _happened_elsewhere(
    start: int, tokens: _Tokens, elsewhere: Sequence[Sequence[str]], tied: Sequence[Sequence[str]]
) -> bool:
    """One of `elsewhere` in the clause of the match at `start`, and nothing of `tied` there
    ties it to the treatment."""
    clause = tokens.clause[start]
    words = _Tokens([word for i, word in enumerate(tokens.words) if tokens.clause[i] == clause])
    named_elsewhere = any(_find(phrasing, words) for phrasing in elsewhere)
    return named_elsewhere and not any(_find(phrasing, words) for phrasing in tied)


def _first_match(
    phrasings: Sequence[Sequence[str]],
    tokens: _Tokens,
    mild: Sequence[Sequence[str]] = (),
    after: Sequence[Sequence[str]] = (),
    elsewhere: Sequence[Sequence[str]] = (),
    tied: Sequence[Sequence[str]] = (),
    asked: bool = False,
) -> Optional[str]:
    for phrasing in phrasings:
        if not tokens.positions(phrasing[0]):
            continue  # most phrasings' first word is not in the message: no need to look further
        for start in _find(phrasing, tokens):
            if _negated(start, tokens, phrasing) or (mild and _mild(start, tokens, mild, asked)):
                continue
            if after and _followed(start, len(phrasing), tokens, after):
                continue
            if elsewhere and _happened_elsewhere(start, tokens, elsewhere, tied):
                continue
            return " ".join(tokens.words[start : start + len(phrasing)])
    return None


_WORSE = (("worse",), ("worsening",), ("bigger",), ("spreading",), ("more", "swollen"), ("getting", "big*"))
_FINE = ("fine", "ok", "okay", "normal", "good", "alright")


def _still_worse(tokens: _Tokens) -> bool:
    """Something is said to be worse now: "worse than yesterday", not "was (a bit) worse yesterday"."""
    for phrasing in _WORSE:
        for start in _find(phrasing, tokens):
            if not {"was", "were"} & set(tokens.words[max(0, start - 3) : start]):
                return True
    return False


def _resolving(sign: Sign, tokens: _Tokens) -> bool:
    """The visitor says it is getting better (and nothing says worse, and nothing in
    `never_resolving` is mentioned without "fine" soon after)."""
    if not sign.unless_resolving or _first_match(sign.unless_resolving, tokens) is None:
        return False
    if _still_worse(tokens):
        return False
    for phrasing in sign.never_resolving:
        for start in _find(phrasing, tokens):
            # Five words: "my lips and tongue are quite normal" says both are fine.
            after = tokens.words[start + len(phrasing) : start + len(phrasing) + 5]
            if not _negated(start, tokens, phrasing) and not any(word in _FINE for word in after):
                return False
    return True


# What a temperature reading can be in each unit (a "100 c" or a "39 f" is not one).
_CELSIUS_RANGE = (34.0, 45.0)
_FAHRENHEIT_RANGE = (93.0, 115.0)
# Clearly normal: a reading in this range answers chills ("shivery, but 36.5").
_NORMAL_CELSIUS = (35.0, 37.5)
_NORMAL_FAHRENHEIT = (95.0, 99.5)


@dataclass(frozen=True)
class _Reading:
    """A number in a message that may be a body temperature."""

    start: int  # character offsets in the message
    end: int
    words: str  # the number and its unit as written
    value: float
    fahrenheit: bool
    # "36 hours ago" is not a reading: a unit, a decimal, or a temperature word just before.
    certain: bool

    @property
    def high(self) -> bool:
        return self.value >= (FEVER_FAHRENHEIT if self.fahrenheit else FEVER_CELSIUS)

    @property
    def clearly_normal(self) -> bool:
        low, high = _NORMAL_FAHRENHEIT if self.fahrenheit else _NORMAL_CELSIUS
        return low <= self.value < high


def _readings(text: str) -> List[_Reading]:
    """Every number that could be a temperature in either unit: "101.8", "38,6c", "temp 39".
    The unit says which scale; without one the value does (93-115 is Fahrenheit)."""
    found = []
    for match in _TEMPERATURE.finditer(text):
        value = float(match["value"].replace(",", "."))
        unit = re.sub(r"[°\s]|degrees?|deg", "", (match["unit"] or "").lower())
        if unit.startswith("f"):
            fahrenheit = True
        elif unit.startswith("c"):
            fahrenheit = False
        else:
            fahrenheit = _FAHRENHEIT_RANGE[0] <= value <= _FAHRENHEIT_RANGE[1]
        low, high = _FAHRENHEIT_RANGE if fahrenheit else _CELSIUS_RANGE
        if not low <= value <= high:
            continue
        said_before = bool(_TEMPERATURE_WORDS.search(text[max(0, match.start() - 25) : match.start()]))
        certain = bool(match["unit"]) or said_before or bool(re.search(r"[.,]", match["value"]))
        found.append(_Reading(match.start(), match.end(), match.group(0).strip(), value, fahrenheit, certain))
    return found


def fever_temperature(text: str) -> Optional[str]:
    """A temperature over 38 °C / 100.4 °F written as a number, e.g. '101.8' or '38.6c'."""
    # A message that speaks of temperature anywhere makes every number a possible reading,
    # and so does a number only a Fahrenheit reading could be ("102"): erring towards a match.
    temperature_talk = bool(_TEMPERATURE_WORDS.search(text))
    for reading in _readings(text):
        if not (reading.certain or temperature_talk or reading.fahrenheit):
            continue  # "38" alone could be an age or a day
        if reading.high and not _temperature_negated(text, reading.start) and not _weather_reading(text, reading):
            return reading.words
    return None


# "The thermometer on my balcony says 38 degrees in this heatwave" is the weather, not a fever.
_WEATHER = re.compile(r"\b(outside|outdoors?|balcony|heat ?wave|weather|forecast|in the shade)\b", re.IGNORECASE)
# A word about the person between the weather and the number makes it a body reading again:
# "outside it's 39 and I have a fever of 39.1".
_PERSON = re.compile(
    r"\b(temp\w*|fever\w*|forehead|face|skin|body|mouth|ear|armpit|i|me|my|she|he|her|his)\b", re.IGNORECASE
)


def _weather_reading(text: str, reading: _Reading) -> bool:
    """The reading is the weather's: a weather word just after it ("38 degrees outside") with
    no word about the person before it in its clause ("my temp was 39.4 outside the clinic"
    is a fever), or the nearest weather word before it in its clause with no word about the
    person in between. Erring towards a fever: "the weather is awful, 101.5 since lunch"."""
    sentence = re.split(r"[.!?,;:\n]", text[: reading.start])[-1]
    after = re.sub(r"^\W*(degrees?|deg|c|f)?\W*", "", text[reading.end : reading.end + 30], flags=re.I)
    if _WEATHER.match(after) and not _PERSON.search(sentence):
        return True
    weather = list(_WEATHER.finditer(sentence))
    return bool(weather) and not _PERSON.search(sentence[weather[-1].end() :])


def readings_in_words(text: str) -> str:
    """`text` with each temperature reading put in words, for a model that reads letters, not
    numbers: "thermometer says 98.6" -> "thermometer says a normal temperature"."""
    for reading in reversed(_readings(text)):
        if reading.certain and not _weather_reading(text, reading):
            words = " a high temperature " if reading.high else " a normal temperature "
            text = text[: reading.start] + words + text[reading.end :]
    return text


def _temperature_negated(text: str, position: int) -> bool:
    before = _tokens(text[:position])
    # Only words in the temperature's own clause: "not feeling great. 39.2 C" is a fever.
    recent = [w for w, c in zip(before.words[-3:], before.clause[-3:]) if c == before.end_clause]
    return any(word in ("not", "under", "below", "never") for word in recent)


# "My cousin told me I should have fever and pus if something is wrong, but I don't have
# any of this": signs named as what to watch for, then denied all at once. The denial must
# say the person has none of them; "none of this was expected" does not.
_WARNING = re.compile(
    r"\b(watch(ing)? (out )?for|look(ing)? out for|keep an eye (out )?for|call (you |them |us |the clinic )?if|"
    r"should (have|get|see)|would (have|get|see)|signs? (of|to)|symptoms? (of|to)|to expect|warned|warning)\b",
    re.IGNORECASE,
)
_DENIED_ALL = re.compile(
    r"\b((i|she|he|we|they)\s+(dont|don'?t|do not|doesnt|doesn'?t|does not|havent|haven'?t|have not|hasnt|hasn'?t|"
    r"has not)\s+(have\s+|got\s+)?(none|any|nothing)\s+of\s+(this|that|these|those|them|it)|"
    r"(i'?ve|ive|i have|i got|she has|he has|she'?s got|he'?s got)\s+(got\s+)?none\s+of\s+"
    r"(this|that|these|those|them|it)|"
    r"(^|[.!?,;:]\s*)none of (that|this|those|these|them)\b(?!\s+(is|are|was|were|has|have|happened|seems?)\b))",
    re.IGNORECASE,
)


def _without_reported_warnings(text: str) -> str:
    """`text` without what someone said to watch for, when the visitor then denies it all."""
    warning = _WARNING.search(text)
    if not warning:
        return text
    denial = _DENIED_ALL.search(text, warning.end())
    return text if not denial else text[: warning.start()] + " . " + text[denial.end() :]


# "I thought the red was spreading but no, it's the same size", "is it swollen? no, checked":
# a sign the visitor names and takes back at once. Not when what is taken back is a milder
# or better reading ("I thought it was just red but no, it's spreading"): that goes the
# other way, and the words after it must be read whole.
_TAKEN_BACK = re.compile(
    r"\b(i\s+)?thought\s+(?P<claim>[^.!?]{0,80}?)\s*,?\s*but\s+(no|nope|it'?s not|its not|it isn'?t|it wasn'?t)\b|"
    r"\b(is|are)\s+(it|they|this|that|these)\s+(?P<asked>[^.!?]{0,30})\?\s*(no|nope)\s*[,.!]",
    re.IGNORECASE,
)
_MILDER_CLAIM = re.compile(
    r"\b(just|only|nothing|fine|normal|ok|okay|better|going down|fading|settling|calming|easing|healing|"
    r"mild|stopped)\b",
    re.IGNORECASE,
)


def _without_taken_back(text: str) -> str:
    for match in reversed(list(_TAKEN_BACK.finditer(text))):
        if not _MILDER_CLAIM.search(match["claim"] or match["asked"] or ""):
            text = text[: match.start()] + " . " + text[match.end() :]
    return text


def find_red_flags(text: str, signs: Optional[Sequence[Sign]] = None) -> List[RedFlag]:
    """Every red-flag sign in `text`, in the order of the list."""
    signs = default_signs() if signs is None else signs
    text = _without_taken_back(_without_reported_warnings(text or ""))
    tokens = _tokens(text or "")
    found = []
    for sign in signs:
        phrasings: Sequence[Tuple[str, ...]] = sign.phrasings
        if sign.answered_by_normal_temperature:
            phrasings = _unanswered(phrasings, sign.answered_by_normal_temperature, tokens, text or "")
        evidence = _first_match(
            phrasings,
            tokens,
            sign.unless_asked,
            sign.unless_followed_by,
            sign.unless_in_clause,
            sign.still_when_in_clause,
            asked=True,
        )
        if evidence is None and sign.together:
            # The first group names the symptom; the later ones qualify it and can be turned round.
            before = [sign.unless_mild, *[(*sign.unless_mild, *sign.unless_turned_by)] * (len(sign.together) - 1)]
            parts = [
                _first_match(group, tokens, mild, sign.unless_followed_by) for group, mild in zip(sign.together, before)
            ]
            if all(part is not None for part in parts) and not _resolving(sign, tokens):
                evidence = " … ".join(str(part) for part in parts)
        if evidence is None and sign.temperature:
            evidence = fever_temperature(text or "")
        if evidence is not None:
            found.append(RedFlag(sign.key, sign.sign, sign.why, evidence))
    return found


def _normal_reading_positions(text: str) -> List[int]:
    """Word positions of the clearly normal temperatures a message gives ("my temperature is
    36.5", "98.6"), in a message that speaks of temperature."""
    if not _TEMPERATURE_WORDS.search(text):
        return []
    return [
        len(_tokens(text[: reading.start]).words)
        for reading in _readings(text)
        if reading.certain and reading.clearly_normal
    ]


def _unanswered(
    phrasings: Sequence[Tuple[str, ...]],
    proxies: Sequence[Tuple[str, ...]],
    tokens: _Tokens,
    text: str,
) -> Sequence[Tuple[str, ...]]:
    """`phrasings` without the fever's stand-ins (chills) that a normal reading, given after
    every place they are mentioned, answers. A fever reading anywhere keeps them all."""
    readings = _normal_reading_positions(text)
    if not readings or fever_temperature(text):
        return phrasings
    last_reading = max(readings)
    answered = {proxy for proxy in proxies if all(start < last_reading for start in _find(proxy, tokens))}
    return [phrasing for phrasing in phrasings if phrasing not in answered]


def ruled_out_signs(text: str, signs: Optional[Sequence[Sign]] = None) -> List[str]:
    """Signs the message names only to deny them ("no fever", "not bleeding anymore",
    "eyesight is fine"). People write that about their own state after a treatment, so such a
    message is a report even when the rest of it is mild."""
    signs = default_signs() if signs is None else signs
    tokens = _tokens(text or "")
    denied = []
    for sign in signs:
        # The sign's own words: its phrasings, or the first group of a `together` sign (the
        # symptom: "swelling", "bleeding"; the later groups only qualify it).
        phrasings = [*sign.phrasings, *(sign.together[0] if sign.together else ())]
        for phrasing in phrasings:
            if phrasing[0] in _NEGATORS or not tokens.positions(phrasing[0]):
                continue
            if any(
                _negated(start, tokens, phrasing) or _said_fine(start, phrasing, tokens)
                for start in _find(phrasing, tokens)
            ):
                denied.append(sign.key)
                break
    return denied


def _said_fine(start: int, phrasing: Sequence[str], tokens: _Tokens) -> bool:
    """ "eyesight is fine", "breathing seems totally normal": said to be fine ("is bleeding
    normal?" asks, so a verb must come between)."""
    after = tokens.words[start + len(phrasing) : start + len(phrasing) + 3]
    return bool(after) and after[0] in _STATE_VERBS and any(word in _FINE for word in after[1:])


_STATE_VERBS = ("is", "are", "was", "seems", "seem", "looks", "look", "feels", "feel", "s")


_fresh_signs: FreshFile[Tuple[Sign, ...]] = FreshFile(load_signs, (OSError, RedFlagsError), "red flags")


def load_other_words(path: Path = RED_FLAGS_PATH) -> FrozenSet[str]:
    """`other_words` of red_flags.yml: everyday words never read as a typo of a sign's word."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise RedFlagsError(f"{path}: {error}") from None
    words = raw.get("other_words") or []
    if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
        raise RedFlagsError(f"{path}: `other_words` must be a list of words")
    return frozenset(_normalise(word).strip() for word in words)


_fresh_other_words: FreshFile[FrozenSet[str]] = FreshFile(load_other_words, (OSError, RedFlagsError), "red flags")


def default_other_words(path: Path = RED_FLAGS_PATH) -> FrozenSet[str]:
    return _fresh_other_words.get(path)


def default_signs(path: Path = RED_FLAGS_PATH) -> Tuple[Sign, ...]:
    """The shared red-flag list in use now: re-read when the file changes."""
    return _fresh_signs.get(path)


def signs_by_key(signs: Sequence[Sign]) -> Dict[str, Sign]:
    return {sign.key: sign for sign in signs}
