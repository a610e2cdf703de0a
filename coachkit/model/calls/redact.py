"""Hide e-mail addresses and phone numbers in what was said on a call.

On import (on by default) every turn's text goes through :func:`redact`:

- an **e-mail address** (``name@example.com``) becomes ``[e-mail]``;
- a **phone number** becomes ``[phone]``: 7 to 15 digits (the most any phone number
  has) written together or in groups split by a space, a dot or a dash, maybe
  starting with ``+`` or ``00`` and maybe with the area code in brackets:
  "+1 (415) 555-0132", "415-555-0132", "+44 20 7946 0958", "0049 30 1234567",
  "06 12 34 56 78", "07700 900123".

Speech-to-text writes down a contact the way it was said, so these are found too
(the words split by spaces, as transcripts write them; capitals do not matter):

- a **spoken e-mail address**: a name, "at" (or "@"), then a domain whose parts are
  split by "dot" (or "."), ending in a common ending from :data:`SPOKEN_TLDS`:
  "jane at acme dot com", "jane dot doe at acme dot co dot uk", "j.doe at
  acme.com", "jane@acme dot com", "jane underscore doe at acme dash corp dot io".
  The name is one word, or words joined by "dot", "dash" or "underscore", so "Jane
  Doe at gmail dot com" becomes "Jane [e-mail]". When the word before "at" is a
  common word such as "us", "worked" or "team", or the word after it is "a" or
  "the", it is a place, not an address, and is kept: "find us at acme dot com", "I
  worked at Booking.com", "we were at the dot com peak".
- a **spoken phone number**: 7 to 15 digits said one at a time ("four one five,
  five five five, oh one three two"), with "double five" for 55 and "triple oh"
  for 000, "oh" or "o" for zero inside the run, a comma, dot or dash between
  groups, written digits mixed in ("415 five five five 0132") and "plus" in front.
  At least three of the words zero to nine must be said, or one of them and some
  written digits.

What is left alone, because a coach needs it to read the call: times ("10:30"),
dates ("2026-12-07", "07.12.2026", "12/07/2026"), years ("2026", "2025 2026"), money
and other amounts ("$1,200,000", "€ 1.200.000", "25000000 dollars", "1234567.89"),
percentages and small numbers ("3 reps"). A long number written as thousands
("1 200 000", "1.200.000") is a number, not a phone, even with a number word said
next to it ("1 200 000, two thirds"). A number said with "twenty", "hundred" or
"thousand" is never part of a phone ("twenty five thousand", "two thousand twenty
six"), and neither are a few number words ("one or two reps", "three, four
times"), counting ("one, two, three, ...") or more than 15 digits.

Not found: a contact spelled letter by letter ("j a n e"), an e-mail address whose
ending is not in the list ("jane at acme dot shop"), a contact split between two
turns, the "twenty" or "hundred" parts of a phone number ("oh one thirty two": the
single digits before them are still hidden when there are 7), two phone numbers
said one after the other with only commas between them (more than 15 digits), and
written groups that read as thousands ("five five five 123 456"). Hidden by
mistake, now and then: a company named like a web address ("our booth at
Booking.com") and a list of seven or more single numbers ("we scored five, four,
five, three, four, five, four"). Read a call before sharing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

EMAIL = "[e-mail]"
PHONE = "[phone]"
#: The fewest and most digits a phone number has (E.164 allows at most 15).
PHONE_DIGITS = (7, 15)
#: Endings of an e-mail domain that are looked for when the address is spoken.
SPOKEN_TLDS = (
    "com", "org", "net", "edu", "gov", "io", "co", "ai", "app", "dev", "info", "biz",
    "me", "tv", "us", "uk", "ca", "au", "nz", "ie", "in", "eu", "de", "fr", "nl",
    "ch", "es", "se", "dk", "pl", "br", "mx", "jp",
)  # fmt: skip

_EMAIL = re.compile(
    r"(?<![\w.+\-])[\w.+\-]++@[^\W_](?:[\w\-]*[^\W_])?(?:\.[^\W_](?:[\w\-]*[^\W_])?)*"
    r"\.[^\W\d_]{2,}\b"
)
# Groups of digits, each maybe in brackets, split by one space, dot or dash (or by
# nothing after a closing bracket). Possessive, so a long run of digits is read in
# one pass.
_PHONE = re.compile(
    r"(?<![\w+.\-/,])(?:\+\s?)?\(?\d++\)?(?:(?:[ .\-]|(?<=\))|[ ]?(?=\())\(?\d++\)?)*+"
    r"(?![\w/]|[.,]\d)"
)
_DATE = re.compile(
    r"\d{4}([\-.])\d{1,2}\1\d{1,2}|\d{1,2}([\-.])\d{1,2}\2(?:\d{4}|\d{2})"
)
_DECIMAL = re.compile(r"\d+[.,]\d+")
_YEARS = re.compile(r"(?:(?:19|20)\d\d[ \-])*(?:19|20)\d\d")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:( |\.)\d{3})(?:\1\d{3})*")
_MONEY_BEFORE = re.compile(r"(?:[$€£¥]|\b(?:usd|eur|gbp|chf))\s?$", re.IGNORECASE)
_MONEY_AFTER = re.compile(
    r"^\s?(?:%|[$€£¥]|(?:percent|dollars?|euros?|pounds?|usd|eur|gbp|chf|k|m|bn)\b)",
    re.IGNORECASE,
)

# --- spoken e-mail: <name> at <domain> (dot <part>)+ ending in SPOKEN_TLDS ---------
# Found from the "at" (a plain " at " lets the search skip ahead fast), then the name
# is read backwards from there. Only a written "@" needs the slower pattern. Like
# the spoken phone, it is searched in the text in lower case.
_PART = r"[^\W_](?:[\w\-]*[^\W_])?"
_DOT = r"(?: +dot +|\.)"
_JOIN = r"(?: +(?:dot|dash|hyphen|underscore) +|\.)"
_DOMAIN = (
    rf"(?P<domain>{_PART}(?:{_JOIN}{_PART})*){_DOT}(?:{'|'.join(SPOKEN_TLDS)})"
    r"(?![\w\-]|\.[^\W_])"
)
_AT_WORD = re.compile(r" at +" + _DOMAIN)
_AT_WORD_OR_SIGN = re.compile(r"(?: at +| *@ *)" + _DOMAIN)
_NAME = re.compile(rf"(?<![\w.+\-'’])(?P<name>[\w+\-]++(?:{_JOIN}[\w+\-]++)*+) *\Z")
_NAME_MAX = 200
# Words before "at" that make it a place, not an address: "find us at acme.com",
# "I worked at Booking.com", "the team at Monday.com".
_NOT_A_NAME = frozenset((
    "i", "me", "us", "we", "you", "he", "him", "she", "her", "it", "they", "them",
    "this", "that", "there", "here", "is", "are", "was", "were", "be", "been", "am",
    "look", "looking", "looked", "out", "up", "over", "online", "live", "available",
    "find", "see", "more", "details", "work", "works", "worked", "working", "based",
    "started", "joined", "met", "meet", "job", "role", "team", "folks", "people",
    "guys", "friends", "colleagues", "someone", "everyone", "anyone",
))  # fmt: skip
# Words that start a place, not a domain ("we were at the dot com peak").
_NOT_A_DOMAIN = frozenset((
    "a", "an", "the", "this", "that", "our", "your", "my", "his", "her", "their", "its",
))  # fmt: skip

# --- spoken phone: digits said one word at a time -----------------------------------
_NUMERALS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
)  # fmt: skip
_DIGIT_OF = {word: str(i) for i, word in enumerate(_NUMERALS)} | {"oh": "0", "o": "0"}
_ONE = rf"(?:{'|'.join(_NUMERALS)}|oh|o)"
# Each word of a run comes after a space, so the run is searched in " " + text from
# a plain " " (fast), and _SAID counts every number word a run could hold. A token
# is "double five", a number word, "oh"/"o" with another token after it (so "Oh,
# ..." and "o'clock" are not zeros), or written digits that are not part of
# "$1,200,000", "10:30" or "2026-12-07".
_TOKEN = (
    rf"(?:(?:double|triple) +{_ONE}\b"
    rf"|(?:{'|'.join(_NUMERALS)})\b"
    rf"|(?:oh|o)(?= +(?:{_ONE}|double|triple|\d+)\b)"
    r"|\d+(?![^ ,.;?!]|[.,]\d))"
)
_SPOKEN_PHONE = re.compile(rf" (?:plus +)?{_TOKEN}(?:(?: ?[,.\-–])? +{_TOKEN})+")
_SAID = re.compile(rf" (?:{'|'.join(_NUMERALS)})")
_PIECE = re.compile(r"(double|triple) +(\w+)|(\d+)|(\w+)")
_DIGIT = re.compile(r"\d")


def redact(text: str) -> str:
    """Return ``text`` with e-mail addresses and phone numbers replaced.

    Parameters
    ----------
    text
        What was said, as the transcript writes it.

    Returns
    -------
    str
        The same text, with each e-mail address (written or spoken) replaced by
        ``[e-mail]`` and each phone number (written or spoken) by ``[phone]``;
        everything else is kept as it was.
    """
    # Each rule runs only when the text holds what it needs: most turns hold
    # neither an address nor a phone number.
    if "@" in text:
        text = _EMAIL.sub(EMAIL, text)
    low = _lowered(text)
    if "@" in text or " at " in low:
        at = _AT_WORD_OR_SIGN if "@" in text else _AT_WORD
        hidden = _replace(text, _spoken_emails(low, at), EMAIL)
        if hidden is not text:
            text, low = hidden, _lowered(hidden)
    has_digit = _DIGIT.search(text) is not None
    said = len(_SAID.findall(low)) + low.startswith(_NUMERALS)
    if said >= 3 or (said and has_digit):
        text = _replace(text, _spoken_phones(low), PHONE)
    if not has_digit:
        return text
    return _PHONE.sub(lambda match: _phone_or_not(match, text), text)


def _lowered(text: str) -> str:
    """``text`` in lower case, each letter where it was, for the spoken rules."""
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few letters grow when lower-cased ("İ" becomes two characters): keep those.
    return "".join(ch if len(ch.lower()) > 1 else ch.lower() for ch in text)


def _replace(text: str, spans: Iterable[tuple[int, int]], mark: str) -> str:
    kept, done = [], 0
    for start, end in spans:
        kept += [text[done:start], mark]
        done = end
    return "".join(kept) + text[done:] if kept else text


def _spoken_emails(low: str, at: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    done = 0
    for hit in at.finditer(low):
        name = _NAME.search(low, max(done, hit.start() - _NAME_MAX), hit.start())
        first = re.split(_JOIN, hit["domain"], maxsplit=1)[0]
        if name and name["name"] not in _NOT_A_NAME and first not in _NOT_A_DOMAIN:
            yield name.start(), hit.end()
            done = hit.end()


def _spoken_phones(low: str) -> Iterator[tuple[int, int]]:
    # Searched in " " + low: a hit's leading space stands one place left of the
    # run, so the hit's start in the padded text is the run's start in ``low``.
    for hit in _SPOKEN_PHONE.finditer(" " + low):
        if _is_spoken_phone(hit.group()):
            yield hit.start(), hit.end() - 1


def _is_spoken_phone(run: str) -> bool:
    digits, written, said = "", [], 0
    for times, word, number, single in _PIECE.findall(run):
        if number:
            digits += number
            written.append(number)
        elif times:
            digits += _DIGIT_OF[word] * (2 if times == "double" else 3)
            said += word in _NUMERALS
        elif single in _DIGIT_OF:
            digits += _DIGIT_OF[single]
            said += single in _NUMERALS
    low, high = PHONE_DIGITS
    groups = " ".join(written)  # written digits read as years or thousands
    return (
        low <= len(digits) <= high
        and (said >= 3 or (said > 0 and bool(written)))
        and digits not in "0123456789"  # counting: "one, two, three, ..."
        and digits not in "9876543210"
        and not (written and (_YEARS.fullmatch(groups) or _THOUSANDS.fullmatch(groups)))
    )


def _phone_or_not(match: re.Match[str], text: str) -> str:
    found = match.group()
    digits = sum(ch.isdigit() for ch in found)
    low, high = PHONE_DIGITS
    if not low <= digits <= high:
        return found
    if not found.startswith("+") and (
        _DATE.fullmatch(found)
        or _DECIMAL.fullmatch(found)
        or _YEARS.fullmatch(found)
        or _THOUSANDS.fullmatch(found)
        or _MONEY_BEFORE.search(text[max(0, match.start() - 6) : match.start()])
        or _MONEY_AFTER.match(text[match.end() : match.end() + 12])
    ):
        return found
    return PHONE
