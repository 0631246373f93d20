"""What the clinic's article never says, in the words visitors ask it with.

The topic contract (shared/spec/faq-topics.md, and data/nlu/scope.yml's header) sends these
questions to the honest "I can't answer that here" reply, yet they share almost every word
with a topic the article does answer: "how many weeks between sessions" reads like the
results question ("how many sessions", "two weeks"), "does it suit olive skin tones" like
the conditions one. A classifier over words weighs the many shared words against the one
that decides; these patterns look only at that one. The pipeline's ArticleGapGate
(components/article_gap_gate.py) turns a FAQ guess into `ask_beyond_article` when one of
them matches. Checked against every labelled training example (tests/unit/test_article_gaps.py):
outside the beyond-the-article intent they match only symptom reports and a booking wish,
which the gate never sees (it acts on FAQ guesses alone), and price questions with a
schedule in them, which it leaves to the price answer.
"""

from __future__ import annotations

import re
from typing import Optional

# Each gap: what the article leaves out, and how visitors ask for it.
GAPS = {
    # The article gives no schedule: time between sessions, how often to come back.
    "time_between_sessions": re.compile(
        r"\b(between\b[^.?!]{0,25}\b(sessions?|treatments?|appointments?|rounds?|visits?)|"
        r"(weeks?|months?|days?) apart|apart should|"
        r"how often (should|do|would|can|must|shud|to) (i|you|people|one|we)?\s*(get|have|do|come|repeat|go|book|need)|"
        r"how often (is|can) (it|micro-?needling|microneedling) (be )?(done|repeated)|how frequently|"
        r"(next|second|another|2nd) (session|treatment|round)|top[- ]?ups?|touch[- ]?ups?|maintenance|"
        r"intervals? between|recommended interval|every (\d+|two|three|four|six|few|couple of) (weeks|months))\b",
        re.IGNORECASE,
    ),
    # It says when results show, never how long they last.
    "how_long_results_last": re.compile(
        r"\b((results?|effects?|improvements?|it|they|this|firmness|glow) (last|lasts|stay|stays|stick around|hold up)|"
        r"how long (do|does|will) (the )?(results?|effects?|improvements?|it|they) (last|stay|hold)|"
        r"permanent(ly)?|wears? off|(results?|effects?) (fade|go away|start fading)|"
        r"last (forever|for ever|for years))\b",
        re.IGNORECASE,
    ),
    # "A small pen-like instrument": no needle size, depth or count.
    "needle_details": re.compile(
        r"(\bneedles?\s+(size|length|depth|gauge)|\bsize\b[^.?!]*\bneedles?\b|\bneedles?\b[^.?!]*\bsize\b|"
        r"\bhow deep\b|\b\d+(\.\d+)?\s*mm\b|\bmillimet(er|re)s?\b|\bhow many needles\b)",
        re.IGNORECASE,
    ),
    # Skin types and tones, with no skin problem named (a problem is the conditions question).
    "skin_type_or_tone": re.compile(
        r"\b((skin|complexion)\s*(types?|colou?rs?)\b|skin\s+tones?\b|"
        r"(oily|dry|combination|sensitive|olive|brown|black|dark|darker|pale|fair|melanin[- ]rich)\s+(\w+\s+)?skin\b"
        r"(?!\s+(spots?|patches|marks?|scars?)))",
        re.IGNORECASE,
    ),
}
# "does it even out my skin tone", "my skin tone is patchy": a skin problem, which the
# conditions answer covers.
_SKIN_PROBLEM = re.compile(
    r"\b(patchy|texture|even it out|more even|evenly|improves?|uneven|even(s|ing)? out|blotchy|discolou?r\w*|"
    r"spots?|scars?|marks?|patches|pigment\w*|melasma|pores?|wrinkles?|lines?|acne|sagging|loose)\b",
    re.IGNORECASE,
)


def article_gap(text: str) -> Optional[str]:
    """The gap `text` asks about ("time_between_sessions", ...), or None."""
    for gap, pattern in GAPS.items():
        if not pattern.search(text or ""):
            continue
        if gap == "skin_type_or_tone" and _SKIN_PROBLEM.search(text):
            continue
        return gap
    return None
