"""What to tell a visitor who reports something after a treatment: whom to call first.

The assistant never diagnoses and never says a symptom is fine: every outcome tells the
visitor to call someone. A red flag (red_flags.yml, plus the clinic's own in clinic.yml)
means the emergency number first; anything else means the clinic's phone and hours.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Sequence, Tuple

from clinic.red_flags import RedFlag, Sign, default_signs, find_red_flags, ruled_out_signs
from clinic.severity import IMPROVING_THRESHOLD, SeverityCorpusError, red_flag_probability
from clinic.severity import THRESHOLD as SEVERITY_THRESHOLD


class Urgency(str, enum.Enum):
    EMERGENCY = "emergency"
    CALL_CLINIC = "call_clinic"


@dataclass(frozen=True)
class Triage:
    urgency: Urgency
    red_flags: Tuple[RedFlag, ...] = ()


def signs_for(clinic_signs: Sequence[Sign] = ()) -> Tuple[Sign, ...]:
    """The shared list and the clinic's own additions."""
    return (*default_signs(), *clinic_signs)


def triage(report: str, clinic_signs: Sequence[Sign] = (), known_report: bool = False) -> Triage:
    """Whom to call first. `known_report`: the message is already known to be an
    after-treatment report (its intent, or `is_after_treatment_report`); only then is a
    report no listed sign matched also read by the severity model."""
    signs = signs_for(clinic_signs)
    flags = tuple(find_red_flags(report or "", signs))
    if not flags and known_report:
        flags = described_red_flags(report or "", signs)
    return Triage(Urgency.EMERGENCY if flags else Urgency.CALL_CLINIC, flags)


def described_red_flags(report: str, signs: Sequence[Sign], at_least: float = 0.0) -> Tuple[RedFlag, ...]:
    """The severity model's reading of a report no listed sign matched; `at_least` raises
    the bar for callers that overrule a confident classifier with it."""
    described = [sign for sign in signs if sign.described]
    if not described or is_general_question(report):
        return ()
    try:
        probability = red_flag_probability(report)
    except SeverityCorpusError:  # no corpus: the listed signs still apply
        return ()
    # "hot like a radiator last night, only lukewarm now": a vivid image said to be settling,
    # with nothing said to be getting worse, needs the model to be near certain.
    if probability < max(at_least, IMPROVING_THRESHOLD if only_improving(report) else SEVERITY_THRESHOLD):
        return ()
    sign = described[0]
    return (RedFlag(sign.key, sign.sign, sign.why, f"reads like a red flag ({probability:.2f})"),)


def assess_urgency(report: str, clinic_signs: Sequence[Sign] = (), known_report: bool = False) -> Urgency:
    return triage(report, clinic_signs, known_report).urgency


# A message about the visitor's (or someone's) own state now, not a general question.
_REPORT_MARKERS = re.compile(
    r"\b(my|me|mine|i'?m|im|i am|i have|i've|ive|i got|i feel|i felt|i had|i did|i woke|i can'?t|i cant|"
    r"since|yesterday|this morning|tonight|last night|ago|still|keeps?|woke up|now|today|rn|atm|"
    r"her|his|she|he|she'?s|he'?s|wife|husband|daughter|son|mum|mom|mother|friend|partner)\b|"
    r"\b\d+\s*(days?|hours?|hrs?|weeks?)\b|\bday\s*\d+\b",
    re.IGNORECASE,
)
# A question about what the treatment could do, asked before or instead of having it.
_HYPOTHETICAL = re.compile(
    r"\b(can|could|will|would|does|do|might|may)\s+(it|this|micro-?needling|microneedling|needling|the treatment|"
    r"the procedure|you|i|one)\s+(cause|give|get|lead|make|result|happen|bleed|hurt)|"
    r"\b(risks?|risky|chances?|possible|side effects?|likely|dangers?|dangerous|how common)\b|"
    r"\bis the (treatment|procedure)\b|\bbefore (my|the|a) (treatment|session|appointment)\b",
    re.IGNORECASE,
)


def is_general_question(text: str) -> bool:
    """ "Can it cause an infection?" asks about the article; "I have an infection" reports.

    Narrow on purpose: "is it normal to have pus?" is a report, and so is anything that
    speaks of the visitor's own state or of days since a treatment.
    """
    text = text or ""
    return bool(_HYPOTHETICAL.search(text)) and not _REPORT_MARKERS.search(text) and "normal" not in text.lower()


# An after-treatment worry: a skin change, and a clear sign that it is the visitor's own skin
# after a treatment, not a question before one ("how long will my face be red?").
_SKIN_CHANGE = re.compile(
    r"\b(red\w*|pink\w*|peel\w*|flak\w*|bruis\w*|swell\w*|swollen|puff\w*|bump\w*|itch\w*|dry|dryness|"
    r"tight\w*|blotch\w*|uneven|rough|sore|tender\w*|bleed\w*|blood\w*|breaking out|break ?outs?|broke out|"
    r"pimples?|whiteheads?|sting\w*|burn\w*|hot|rash\w*|scab\w*|crust\w*|raw|worse|irritat\w*|tomato|sunburn\w*|"
    r"bled|pinpricks?|rosy|flushed|numb|tingl\w*|gritty|darker|redder|pinker|"
    # Not skin, but how the visitor feels since: the same worry, the same phone number.
    r"head ?aches?|migraines?|nause\w*|queasy|pain|painful|hurts?|hurting|aches?|aching|throb\w*|agony)\b",
    re.IGNORECASE,
)
# Words that are a skin change only right after a treatment ("age spots" and "acne marks"
# are what visitors want treated).
_SKIN_CHANGE_AFTER = re.compile(
    r"\b(marks?|spots?|dots?|lines?|grid|tracks?|dull|grey|gray|warm|tingl\w*|in the sun|"
    # "5 days and no difference yet": a worry about this visitor's own result.
    r"difference|changed?|the same|work(ed|ing)?)\b",
    re.IGNORECASE,
)
_TREATED = r"(needl\w*|micro[- ]?needl\w*|microneedl\w*|treatments?|sessions?|procedures?|appointments?)"
_SINCE_TREATMENT = re.compile(
    rf"\b(had|got|did)\b.{{0,30}}\b({_TREATED}|done)\b|\b\d+\s*(days?|hours?|hrs?|weeks?)\s+(ago|after|since|out|post)\b|"
    rf"\bday\s*\d+\b|\b(yesterday|this morning|last night|earlier today|today|tonight)\b|"
    rf"\bsince (my|the|yesterday|then)\b|\bpost[- ]?{_TREATED}\b|\b(got|been) needled\b|"
    rf"\b(from|where) the (pen|needles?|needle went|{_TREATED})\b|\bwhere (they|she|he) (needled|did|treated|went)\b|"
    rf"\bright after\b|\balready\b|\bsince (mon|tues|wednes|thurs|fri|satur|sun)day\b|"
    # "now that it's healing": the visitor's skin is recovering from something done to it.
    r"\b(it'?s|its|it is|skin'?s|skin is|face'?s|face is)\s+(still\s+)?(healing|peeling|scabbing|flaking)\b|"
    # "can I wash my face yet?", "it's been 6 days": counting from a treatment.
    rf"\b(can|should) i\b.{{0,40}}\byet\b|\bbeen (\d+|a|one|two|three|four|five|six|a few|few) (days?|weeks?|hours?)\b|"
    rf"\b(mon|tues|wednes|thurs|fri|satur|sun)day'?s {_TREATED}\b|"
    # "micro needling thurs", "my session on tuesday": the day it was done.
    rf"\b{_TREATED}\s+(on\s+|last\s+)?(mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(day|s)?\b|"
    r"\b(the|my|her|his) treated (skin|area|areas|spots?|face|bits?|patch\w*)\b",
    re.IGNORECASE,
)
# "after the treatment" alone is also how questions about the article are asked ("is
# redness normal after micro-needling?"): it counts only with the visitor in the sentence.
_AFTER_TREATMENT = re.compile(
    rf"\b(after|from) (my |her |his |the |today'?s |todays |this morning'?s )?{_TREATED}\b(?!.{{0,20}}\bwill\b)",
    re.IGNORECASE,
)
_PERSONAL = re.compile(r"\b(my|i|i'?m|im|me|her|his|she|he)\b", re.IGNORECASE)
_BODY_PART = (
    r"(skin|face|cheeks?|cheekbones?|chin|nose|forehead|neck|lips?|eyes?|jaw\w*|chest|back|scalp|"
    r"hands?|arms?|legs?|thighs?|stomach|temples?|sides?|hairline|mouth|brows?|eyebrows?|upper lip|cheekbones?)"
)
# Things people plan around ("a wedding to attend 5 days after", "I've got a meeting"):
# named with a treatment, they are the visitor's plans, not a change of the skin.
_EVENTS = (
    r"wedding|party|event|holiday|trip|flight|meeting|interview|presentation|shoot|photos?|date|exam|"
    r"conference|graduation|birthday|concert|festival|gig|dinner"
)
_OWN_SKIN_NOW = re.compile(
    # "my skin feels", "one cheek is", or "skin feels ..." as the whole message's subject.
    rf"(\b(my|her|his|the|one|both|left|right|other)\s+|^\W*|[.!?,;]\s*){_BODY_PART}\s+"
    r"(is|are|looks?|feels?|has|keeps?|went|got|still|seems?)\b|\bi look\b|"
    rf"\bi(?:'?ve| have) got\b(?!\s+(a|an|my|the|this|some)\s+(\w+\s+)?({_EVENTS})\b)|\bstill\b|"
    # "face was numb, now just tingly": the past tense only as the clause's own subject.
    rf"(^\W*|[.!?,;]\s*){_BODY_PART}\s+(was|were)\b|"
    rf"\b(when|if) i (touch|press|run|rub|wash|smile|move)\b|"
    # "tender along my jawline", "dry around my mouth": where on the visitor's own body.
    rf"\b(on|along|around|under|near|across|over|above|below|by) (my|her|his) {_BODY_PART}\b|"
    r"\bthere'?s an? \b|\btheres an? \b|\bthere is an? \b",
    re.IGNORECASE,
)
_AHEAD = re.compile(
    r"\bwill (i|my|it|the|there)\b|\bhow long will\b|\bwould (it|this|i)\b|\b(can|could) (it|you|this|micro\w*)\b|"
    r"\bdoes (it|this|micro\w*)\b|\bafterwards\b|\bgoing to\b|\bbefore (my|the)\b|\bcan i still get\b|\bget it done\b|"
    r"\bif i (book|have|get|do)\b|\bhow long (does|do) (the|it|this|redness|irritation|swelling)\b",
    re.IGNORECASE,
)
# Asking whether the treatment suits the visitor's skin as it is ("blotchy cheeks, worth
# trying?", "cold sore at the moment, can the treatment still go ahead?"): a question
# before a treatment, unless the visitor has had one (_HAD_TREATMENT, _PAST_TREATMENT).
_CANDIDATE = re.compile(
    r"\bworth (it|trying|a try|a go|doing|getting)\b|"
    r"\b(which|what) (conditions|problems|issues|concerns|skin (problems|issues|concerns))\b|"
    r"\b(can|could|will|would|does|do|might) "
    r"(it|this|micro[- ]?\w*|needling|the treatment|the procedure|this treatment|you) "
    r"(\w+ )?(help|fix|treat|improve|address|do anything|get rid|reduce|tighten|firm|work on|work for)\b|"
    r"\b(this|the) (treatment|procedure) can help\b|"
    r"\bis (it|this|micro\w*) (good|suitable|right|the right treatment) for\b|"
    r"\b(suitable|candidate)\b|\bgo ahead\b|\bcan i still (have|get|do|book)\b|\bstop the treatment\b",
    re.IGNORECASE,
)
# What a visitor may ask to do with freshly treated skin.
_AFTERCARE_ACTIVITY = re.compile(
    r"\b(make-?up|foundation|concealer|swim\w*|pool|sauna|steam|gym|exercis\w*|excercis\w*|work ?out|shower\w*|"
    r"wash\w*|shav\w*|dye|wax\w*|sun|sunbath\w*|spf|sunscreen|moisturi[sz]\w*|skin ?care|retinol|serum|wine|alcohol|"
    r"drink\w*|contacts|lenses|backpack|pillow|mascara|lipstick|eyeliner|paracetamol|ibuprofen|tylenol|advil|"
    r"aspirin|painkillers?|pain ?killers?|pain relief)\b",
    re.IGNORECASE,
)
# Aftercare questions ("can I go in the sun after micro-needling?") are the article's.
_AFTERCARE_QUESTION = re.compile(
    r"\bcan i (go|have|use|wear|put|do|wash|exercise|swim|drink|start|get)\b", re.IGNORECASE
)


_PRESENT = re.compile(r"\b(now|right now|at the moment|currently|still)\b", re.IGNORECASE)

# "Can I start my acne cream again? I stopped it before the session": the article says a
# doctor may stop such products before a treatment, not when to take them up again, so
# that is the clinic's call, like any other question about this visitor's treated skin.
_TAKING_UP_AGAIN = re.compile(
    r"\b(restart\w*|re-start\w*|resum\w*|start\w* (\w+ ){0,3}again|use (\w+ ){0,3}again|tak\w* (\w+ ){0,3}again|"
    r"(go|going|get|getting) back (on|to|onto)|back on (my|the|it)|stopped (it|them|taking|using|my)\b)",
    re.IGNORECASE,
)
_PRODUCT = re.compile(
    r"\b(retin\w*|tretinoin|adapalene|differin|tret|acne (cream|gel|meds?|medication|treatment)s?|creams?|gels?|"
    r"serums?|acids?|aha|bha|exfoliat\w*|vitamin c|vit c|niacinamide|benzoyl|salicylic|glycolic|meds?|"
    r"medications?|medicines?|tablets?|pills?|antibiotics?|ibuprofen|aspirin|blood thinners?|skin ?care|routine|"
    r"products?|moisturi[sz]er|sunscreen|make-?up)\b",
    re.IGNORECASE,
)
# "pain mild n improving": a symptom told with how it is going is this visitor's own.
_COURSE = re.compile(
    r"\b(improving|easing( off)?|settling( down)?|calming( down)?|getting (better|worse)|going down|fading|"
    r"clearing( up)?|worsening|better than yesterday|worse than yesterday)\b",
    re.IGNORECASE,
)
# For the severity model: said to be settling, and nothing said to be getting worse.
_IMPROVING = re.compile(
    r"\b(improving|eas(es|ing)( off)?|settl(es|ing)( down)?|calm(s|ing)( down)?|getting better|"
    r"better than yesterday|better (now|today)|going down|goes down|fading|fades|(has |have )?faded|"
    r"subsid(ed|ing)|eased( off)?|clearing( up)?|half (of )?(what it was|that|the size)|"
    r"nearly gone|almost gone|cooling( down)?|getting cooler|(now|is|its|it's) (only )?(lukewarm|cooler)|"
    r"less (red|swollen|sore|warm|hot|painful) (now|today))\b",
    re.IGNORECASE,
)
# "was worse yesterday" is the past: only worse now counts.
_WORSENING = re.compile(
    r"\b((?<!was )(?<!were )(?<!was a bit )worse|worsening|more and more|more (hot|swollen|red|painful|sore)|"
    r"(swelling|swollen|hurting|bleeding|oozing) more|(?<!was )(?<!were )(hotter|redder|bigger)|"
    r"growing|grows|climbing|ramping|"
    r"spread\w*|new|but now|now (it|its|it's|there|i|my|she|he)|started|"
    r"starting to (swell|bleed|ooze|blister|spread|hurt|burn|throb|itch|weep))\b",
    re.IGNORECASE,
)
# "calming" turned round: "ramping up instead of calming down", "not easing".
_TURNED_ROUND = re.compile(
    r"\b(instead of|not|isnt|isn'?t|no longer|rather than|stopped|wont|won'?t|never)\s+(\w+\s+)?$"
)


def only_improving(text: str) -> bool:
    """Said to be settling ("only lukewarm now"), not turned round ("instead of calming down"),
    and nothing said to be getting worse."""
    improving = any(
        not _TURNED_ROUND.search(text[max(0, match.start() - 30) : match.start()].lower())
        for match in _IMPROVING.finditer(text)
    )
    return improving and not _WORSENING.search(text)


def _describes_own_skin_now(text: str) -> bool:
    """ "My cheeks look darker now, will it even out?" reports first and asks after; "will my
    face be red?" only asks."""
    own = _OWN_SKIN_NOW.search(text)
    if not own:
        return False
    ahead = _AHEAD.search(text)
    if not ahead or (own.start() < ahead.start() and bool(_PRESENT.search(text))):
        return True
    # "can microneedling cause breakouts? got 3 little pimples on my chin": the question
    # first, then a sentence of its own about the visitor's skin now. (Told the other way
    # round, "my skin is blotchy. can it help?", or without a now, "I am 55 and my face is
    # not so tight anymore", it is a question before a treatment.)
    later = re.split(r"[?!.]\s+", text[ahead.end() :], maxsplit=1)
    if len(later) < 2 or _AHEAD.search(later[1]) or not _OWN_SKIN_NOW.search(later[1]):
        return False
    return bool(_PRESENT.search(later[1]) or re.search(r"\b(got|rn|atm)\b", later[1], re.IGNORECASE))


# "had needling today", "got my face done", "since my session": said by someone treated.
_HAD_TREATMENT = re.compile(
    rf"(?<!never )(?<!not )\b(had|got|did)\s+((it|my|the|a|her|his|some)\s+)?(face\s+)?({_TREATED}|done|it done)\b|"
    # "since he came back from his scar treatment": one word may name what was treated.
    rf"\b(since|after|from) (my|her|his) (\w+ )?{_TREATED}\b|\b(got|been) needled\b",
    re.IGNORECASE,
)


def speaks_of_own_treatment(text: str) -> bool:
    """ "had needling today and ...": the visitor says they have had a treatment (not a plan
    or a question about one). With a message the model did not understand, that is reason
    enough for the report path: the clinic's phone, or 911 if it reads like a red flag."""
    text = text or ""
    return not is_general_question(text) and not _AHEAD.search(text) and bool(_HAD_TREATMENT.search(text))


# Said only by someone already treated: a time counted back from now, or a treatment had.
_PAST_TREATMENT = re.compile(
    r"\b(ago|yesterday|last night|this (morning|afternoon|evening)|today|tonight|earlier|already|"
    r"since (my|the|then|yesterday))\b|"
    r"\bbeen (\d+|a|one|two|three|four|five|six|a few|few) (days?|weeks?|hours?)\b|\bday\s*\d+\b",
    re.IGNORECASE,
)
# "right after", "post-treatment", "5 days after": counted from a treatment still to come
# when the visitor plans ahead ("can I go in the sun right after?", "my wedding is 5 days
# after my appointment, will I still be red?").
_RELATIVE_TIME = re.compile(
    rf"(right after|post[- ]?{_TREATED}|\d+\s*(days?|hours?|hrs?|weeks?)\s+after)", re.IGNORECASE
)
# "my wedding is 5 days after", "photos booked 2 days after": a date set from the treatment,
# not the time since it ("it is 3 days after", "..., is 3 days after?" are).
_DATE_SET_FROM = re.compile(
    r"\b(?!(it|this|that|now|today|which)\b)\w+(\s+(is|are|falls)|'s|\s+(booked|planned|scheduled))\s+$|"
    r"\b(flying|leaving)\s+$",
    re.IGNORECASE,
)
# "a wedding to attend 5 days after", "work dinner to go to 3 days after": an event named
# just before, which the visitor plans around ("went to a party 2 days after" was one).
_EVENT_SET_FROM = re.compile(rf"\b({_EVENTS})\b(\s+\w+){{0,3}}\s+$", re.IGNORECASE)
_WENT = re.compile(r"\b(went|attended|was at|were at|had to go)\b", re.IGNORECASE)
_IDEA = re.compile(r"\b(bad|good) idea\b", re.IGNORECASE)


def _counts_from_treatment_to_come(match: re.Match[str], text: str) -> bool:
    """A "right after" or "N days after" that counts from a treatment still to come."""
    if not _RELATIVE_TIME.fullmatch(match.group(0)):
        return False
    if match.group(0).lower().startswith(("right", "post")):
        # "can I put makeup on right after?", "serum right after needling, good idea?"
        return bool(_AFTERCARE_QUESTION.search(text) or _IDEA.search(text))
    planning = bool(_AHEAD.search(text) or _AFTERCARE_QUESTION.search(text))
    before = text[: match.start()]
    event_ahead = bool(_EVENT_SET_FROM.search(before)) and not _WENT.search(before)
    return planning and (bool(_DATE_SET_FROM.search(before)) or event_ahead)


def _since_treatment(text: str) -> bool:
    return any(not _counts_from_treatment_to_come(match, text) for match in _SINCE_TREATMENT.finditer(text))


def _asks_before_treatment(text: str) -> bool:
    """ "My skin is blotchy and dull, would micro-needling help?": the visitor's skin now is
    why they ask, not a change after a treatment."""
    return bool(_CANDIDATE.search(text)) and not _HAD_TREATMENT.search(text) and not _PAST_TREATMENT.search(text)


def is_after_treatment_report(text: str, clinic_signs: Sequence[Sign] = ()) -> bool:
    """A skin change on the visitor's own skin after a treatment: a report, even when it
    uses the article's words (redness, peeling, makeup) and ends in a question."""
    text = text or ""
    if is_general_question(text) or _asks_before_treatment(text):
        return False
    skin_change = bool(_SKIN_CHANGE.search(text) or _SKIN_CHANGE_AFTER.search(text))
    if skin_change and ruled_out_signs(text, signs_for(clinic_signs)):
        # "no pus, just dry and flaky": a red flag denied beside a change is a report.
        return True
    since_treatment = _since_treatment(text) or (
        bool(_AFTER_TREATMENT.search(text))
        and bool(_PERSONAL.search(text))
        and not _AHEAD.search(text)
        and not _AFTERCARE_QUESTION.search(text)
    )
    if _SKIN_CHANGE.search(text):
        told_with_its_course = bool(_COURSE.search(text)) and not _AHEAD.search(text)
        return since_treatment or _describes_own_skin_now(text) or told_with_its_course
    if _TAKING_UP_AGAIN.search(text) and _PRODUCT.search(text):
        return True
    if _since_treatment(text) and _AFTERCARE_ACTIVITY.search(text):
        # "had it done this morning, when can I put makeup on?": what suits this visitor's
        # skin now is the clinician's call, so it gets the clinic's phone like a worry.
        return True
    return since_treatment and bool(_SKIN_CHANGE_AFTER.search(text))
