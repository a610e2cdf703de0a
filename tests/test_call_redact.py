"""Redaction of contacts said aloud: what a coach shares must not show them.

Speech-to-text writes "jane at acme dot com" and "four one five, five five five, oh
one three two". These tables hold contacts that must be hidden, and everyday
sales-call sentences that must come back exactly. Each everyday sentence is checked
in a turn that also holds a spoken contact, so the table fails both when the rule
reaches too far and when it finds nothing at all.
"""

from __future__ import annotations

import pytest

from coachkit.model.calls import redact
from coachkit.model.calls.redact import PHONE_DIGITS

SPOKEN_EMAIL = "Write to jane at acme dot com."
SPOKEN_EMAIL_HIDDEN = "Write to [e-mail]."
SPOKEN_PHONE = "My cell is four one five, five five five, oh one three two."
SPOKEN_PHONE_HIDDEN = "My cell is [phone]."


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("Email me at jane at acme dot com.", "Email me at [e-mail]."),
        ("It's jane dot doe at acme dot co dot uk, thanks", "It's [e-mail], thanks"),
        ("Send it to j.doe at acme.com today", "Send it to [e-mail] today"),
        ("jane at acme.com works best", "[e-mail] works best"),
        ("Mixed up: jane@acme dot com.", "Mixed up: [e-mail]."),
        ("JANE AT ACME DOT COM", "[e-mail]"),
        ("Jane At Acme Dot Io", "[e-mail]"),
        ("it's jane underscore doe at acme dash corp dot com", "it's [e-mail]"),
        ("ping dana42 at outlook dot com", "ping [e-mail]"),
        ("jane at mail dot acme dot com dot au.", "[e-mail]."),
        ("sales at acme-corp dot co, or call", "[e-mail], or call"),
        (
            "sam dot okafor at fabrikam dot io or priya at contoso dot de",
            "[e-mail] or [e-mail]",
        ),
        # Only the word right before "at" is taken as the name.
        ("Jane Doe at gmail dot com", "Jane [e-mail]"),
    ],
)
def test_spoken_email_addresses_are_hidden(said: str, kept: str) -> None:
    assert redact(said) == kept


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        (
            "My cell is four one five five five five oh one three two.",
            SPOKEN_PHONE_HIDDEN,
        ),
        ("four one five, five five five, oh one three two", "[phone]"),
        (
            "It's zero seven seven zero zero nine double oh one two three.",
            "It's [phone].",
        ),
        ("five five five, one two three four", "[phone]"),
        ("five five five - one two three four", "[phone]"),
        ("triple five, one two three four", "[phone]"),
        ("Four one five. Five five five. Oh one three two.", "[phone]."),
        ("Eight triple one, triple five.", "[phone]."),  # a number word first
        ("Nine one seven, eight eight two, O four four one", "[phone]"),
        ("It was FOUR ONE FIVE FIVE FIVE FIVE OH ONE THREE TWO", "It was [phone]"),
        ("plus four four two zero seven nine four six oh nine five eight", "[phone]"),
        # Digits the transcriber wrote, mixed in with spoken ones.
        ("Call 415 five five five 0132 tomorrow", "Call [phone] tomorrow"),
        ("Call four one five 555 0132 tomorrow", "Call [phone] tomorrow"),
        ("Or 020 triple seven, 0958.", "Or [phone]."),
        # "Oh" is a zero only inside a run of digits.
        (
            "Oh, four one five five five five oh one three two. Oh, and the deck.",
            "Oh, [phone]. Oh, and the deck.",
        ),
        # A written and a spoken number in one turn.
        (
            "Desk 415-555-0132 or cell four one five five five five oh one three three",
            "Desk [phone] or cell [phone]",
        ),
    ],
)
def test_spoken_phone_numbers_are_hidden(said: str, kept: str) -> None:
    assert redact(said) == kept


def test_spoken_digits_are_counted_like_written_ones() -> None:
    fewest, most = PHONE_DIGITS
    assert redact("five five five one two three") == "five five five one two three"
    assert redact("five five five one two three four") == "[phone]"
    # "double five" is two digits and "triple five" three.
    assert redact("double five one two three") == "double five one two three"
    assert redact("double five five one two three four") == "[phone]"
    assert redact("triple five one two three four") == "[phone]"
    assert redact(" ".join(["eight"] * fewest)) == "[phone]"
    assert redact(" ".join(["eight"] * most)) == "[phone]"
    longest = " ".join(["eight"] * (most + 1))  # more than any phone number has
    assert redact(longest) == longest


@pytest.mark.parametrize(
    "said",
    [
        "Let's look at the deck together.",
        "At Acme we do quarterly business reviews.",
        "We met at the office dot.",
        "Can we talk at 3 pm on Thursday?",
        "I'll dot the i's and cross the t's on the contract.",
        "Let's meet at noon. Dot points next.",
        "I'm at home dot",
        "Our renewal is at the end of the month.",
        "At the end of the day it comes down to budget.",
        "What are you seeing at the top of the funnel?",
        "We're at about forty percent of the goal right now.",
        "Look at that dot on the chart, that's the outlier.",
        "You can find us at acme dot com.",
        "Visit acme dot com for the case study.",
        "I worked at Booking.com for six years.",
        "The team at Monday.com runs on it.",
        "We were at the dot com peak back then.",
        "Prices dropped at the dot com peak.",
        "Our founder cut his teeth at a dot com in two thousand.",
        "Churn sat at three dot five percent last quarter.",
        "I'll be at the conference, dot dot dot, you know how it is.",
        "The call is at 10:30 and one of us will join.",
        "Send the invite to the shared inbox at the usual time.",
        "We're at 2 of 5 stages, so 3 to go.",
    ],
)
def test_everyday_talk_of_places_is_kept(said: str) -> None:
    assert redact(f"{said} {SPOKEN_EMAIL}") == f"{said} {SPOKEN_EMAIL_HIDDEN}"


@pytest.mark.parametrize(
    "said",
    [
        "We have one or two reps who could pilot it.",
        "It happens three, four times a quarter.",
        "The budget is twenty five thousand.",
        "The contract starts in two thousand twenty six.",
        "We have five people on the team.",
        "Our number one priority is pipeline hygiene.",
        "Nine times out of ten the handoff is the problem.",
        "We ran two pilots, one in March and one in May.",
        "Give me five, ten minutes to pull the numbers.",
        "We spent one point two million on tooling.",
        "Seven or eight people would use it every day.",
        "It's a one-on-one every two weeks.",
        "The demo is at five o'clock, six at the latest.",
        "Oh, one more thing about pricing.",
        "Nineteen ninety nine was our first year.",
        "We went from three to four to six reps.",
        "Rate it from one to ten.",
        "One, two, three, four, five, six, seven: that's the rollout order.",
        "Someone on the phone said the money was done, none of it left.",
        "Twenty-one five star reviews so far.",
        "Triple A is one of our customers, double the size of the next one.",
        "In 2025 2026 three new regions opened.",
        "About $1,200,000, two thirds of it services.",
        "About 1 200 000, two thirds of it services.",
        "On 2026-12-07, two reps and one manager start.",
        "Our ARR grew 250 000 to 310 000 this year, one of our best.",
        "NPS by month: nine, eight, nine, eight, nine, eight, 9.5 in June.",
    ],
)
def test_everyday_number_talk_is_kept(said: str) -> None:
    assert redact(f"{said} {SPOKEN_PHONE}") == f"{said} {SPOKEN_PHONE_HIDDEN}"


def test_the_text_around_a_contact_is_kept_exactly() -> None:
    said = (
        "Ça va?  Écris à  jane at acme dot com — merci!\t"
        "Or ring four one five, five five five, oh one three two… bye."
    )
    assert redact(said) == ("Ça va?  Écris à  [e-mail] — merci!\tOr ring [phone]… bye.")


def test_a_letter_that_grows_in_lower_case_does_not_shift_what_is_hidden() -> None:
    # "İ" is two characters in lower case; the spoken rules must still cut the
    # contact out of the text at the right place.
    said = "İLKAY here: ilkay at acme dot com, or five five five one two three four."
    assert redact(said) == "İLKAY here: [e-mail], or [phone]."
