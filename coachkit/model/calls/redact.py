"""Hide e-mail addresses and phone numbers in what was said on a call.

On import (on by default) every turn's text goes through :func:`redact`:

- an **e-mail address** (``name@example.com``) becomes ``[e-mail]``;
- a **phone number** becomes ``[phone]``: 7 to 15 digits (the most any phone number
  has) written together or in groups split by a space, a dot or a dash, maybe
  starting with ``+`` or ``00`` and maybe with the area code in brackets:
  "+1 (415) 555-0132", "415-555-0132", "+44 20 7946 0958", "0049 30 1234567",
  "06 12 34 56 78", "07700 900123".

What is left alone, because a coach needs it to read the call: times ("10:30"),
dates ("2026-12-07", "07.12.2026", "12/07/2026"), years ("2026", "2025 2026"), money
and other amounts ("$1,200,000", "€ 1.200.000", "25000000 dollars", "1234567.89"),
percentages and small numbers ("3 reps"). A long number written as thousands
("1 200 000", "1.200.000") is a number, not a phone. Spelled-out contacts ("jane
at acme dot com", "four one five...") are not found: read a call before sharing it.
"""

from __future__ import annotations

import re

EMAIL = "[e-mail]"
PHONE = "[phone]"
#: The fewest and most digits a phone number has (E.164 allows at most 15).
PHONE_DIGITS = (7, 15)

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


def redact(text: str) -> str:
    """Return ``text`` with e-mail addresses and phone numbers replaced.

    Parameters
    ----------
    text
        What was said, as the transcript writes it.

    Returns
    -------
    str
        The same text, with each e-mail address replaced by ``[e-mail]`` and each
        phone number by ``[phone]``; everything else is kept as it was.
    """
    if "@" in text:
        text = _EMAIL.sub(EMAIL, text)
    return _PHONE.sub(lambda match: _phone_or_not(match, text), text)


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
