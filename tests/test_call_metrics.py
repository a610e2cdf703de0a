"""Call metrics, tracker phrases and redaction, on calls built by hand.

Every expected number is worked out in a comment beside it, so a reader can check
the definition (docs/calls.md) against the arithmetic.
"""

from __future__ import annotations

import random

import pytest

from coachkit.errors import ValidationError
from coachkit.model.calls import (
    METRIC_NOTES,
    CallMetrics,
    Turn,
    call_metrics,
    find_tracker_hits,
    redact,
)
from coachkit.model.calls.metrics import MIN_INTERRUPTION_S
from coachkit.model.calls.trackers import SNIPPET_CHARS

SIDES = {"Ana": "rep", "Ben": "buyer", "Bea": "buyer", "Cole": "other"}

#: A 102-second call: the rep Ana, the buyer Ben, and Cole, a coach ("other").
CALL = [
    Turn("Ana", 0, 20, "Let me walk you through our plan for the rollout today."),
    Turn("Ben", 20.5, 21.5, "Mm-hm."),
    Turn("Ana", 22, 40, "It takes two weeks. Does that work? Really??"),
    Turn("Ben", 42, 62, "Two weeks is fine, but our team is busy in March."),
    Turn("Ana", 64, 70, "Why March?"),
    Turn("Cole", 70, 75, "I can help with March."),
    Turn("Ben", 76, 86, "Quarter end."),
    Turn("Ben", 86, 98, "We close the books then."),
    Turn("Ana", 97, 102, "Got it, thanks."),
]


def test_the_hand_built_call_gives_the_numbers_worked_out_by_hand() -> None:
    shuffled = CALL[:]
    random.Random(7).shuffle(shuffled)  # turns are taken in order of start
    metrics = call_metrics(shuffled, SIDES)
    # duration: first start 0 to last end 102.
    assert metrics.duration_s == 102
    # rep talk: 20 + 18 + 6 + 5 = 49 s.
    assert metrics.rep_talk_s == pytest.approx(49)
    # buyer talk: 1 + 20 + (76..98 = 22) = 43 s; Cole's 5 s count on no side.
    assert metrics.buyer_talk_s == pytest.approx(43)
    # talk share: 49 / (49 + 43) = 49 / 92 = 0.53261.
    assert metrics.talk_share == pytest.approx(49 / 92)
    # monologue: 0..40, Ben's 1-second "Mm-hm." (< 3 s) does not end it; Ben's
    # 20 s at 42 does. Later: 64..70 (6 s, ended by Cole's 5 s), 97..102 (5 s).
    assert metrics.longest_monologue_s == pytest.approx(40)
    # story: 20.5..21.5 (1 s), 42..62 (20 s), then 76..98 (22 s; Ben's two turns
    # in a row are one stretch).
    assert metrics.longest_story_s == pytest.approx(22)
    # switches: Ana>Ben, Ben>Ana, Ana>Ben, Ben>Ana, Ana>Cole, Cole>Ben, Ben>Ana = 7
    # (Ben>Ben is no switch); 7 / (102 / 60) = 4.1176 a minute.
    assert metrics.switches_per_min == pytest.approx(7 / (102 / 60))
    # rep words: 11 + 8 ("It takes two weeks Does that work Really") + 2 + 3 = 24;
    # 24 / (49 / 60) = 29.388 words a minute.
    assert metrics.rep_words_per_min == pytest.approx(24 / (49 / 60))
    # questions: "?" and "??" in the third turn, "?" in "Why March?" = 3.
    assert metrics.rep_questions == 3
    # patience: Ben's "Mm-hm." (1 s) is not waited for; after Ben's 42..62 Ana
    # waits 64 - 62 = 2 s; after Ben's 76..98 she starts at 97, before he ends: 0.
    # Mean (2 + 0) / 2 = 1 s. Cole's turn between Ana and Ben counts for neither.
    assert metrics.patience_s == pytest.approx(1.0)


def test_a_reply_of_the_threshold_or_longer_ends_a_monologue() -> None:
    assert MIN_INTERRUPTION_S == 3.0

    def monologue(reply_end: float) -> float:
        turns = [
            Turn("Ana", 0, 10, "First part."),
            Turn("Ben", 10, reply_end, "Right, sure."),
            Turn("Ana", 13, 20, "Second part."),
        ]
        return call_metrics(turns, SIDES).longest_monologue_s

    # Ben speaks 2.9 s (< 3): one monologue 0..20 = 20 s.
    assert monologue(12.9) == pytest.approx(20)
    # Ben speaks 3.0 s: two monologues, 0..10 and 13..20; the longest is 10 s.
    assert monologue(13.0) == pytest.approx(10)


def test_overlapping_turns_count_each_side_once_and_both_sides_when_they_overlap() -> (
    None
):
    turns = [
        Turn("Ben", 0, 10, "We tried that last year."),
        Turn("Bea", 5, 15, "And it did not stick."),  # two buyers at once
        Turn("Ana", 12, 20, "What got in the way?"),  # the rep starts over Bea
    ]
    metrics = call_metrics(turns, SIDES)
    # buyer: the union of 0..10 and 5..15 = 15 s, not 10 + 10.
    assert metrics.buyer_talk_s == pytest.approx(15)
    # rep: 12..20 = 8 s, counted though Bea is still talking until 15.
    assert metrics.rep_talk_s == pytest.approx(8)
    # share: 8 / (8 + 15) = 0.3478; duration 0..20.
    assert metrics.talk_share == pytest.approx(8 / 23)
    assert metrics.duration_s == 20
    # patience: the buyer stretch 0..15 (Ben then Bea, one side) ends at 15; Ana
    # started at 12, before it ended: 0 s.
    assert metrics.patience_s == 0
    # story: 0..15, Ben and Bea both on the buyer side.
    assert metrics.longest_story_s == pytest.approx(15)


def test_a_call_without_a_buyer_or_without_turns_has_no_share() -> None:
    alone = call_metrics([Turn("Ana", 0, 30, "Hello? Anyone there?")], SIDES)
    assert alone.talk_share == 1.0  # 30 / (30 + 0)
    assert alone.patience_s is None  # the buyer never spoke
    assert alone.switches_per_min == 0
    only_coach = call_metrics([Turn("Cole", 0, 30, "Testing.")], SIDES)
    assert only_coach.talk_share is None  # 0 / 0
    assert only_coach.rep_words_per_min is None
    assert call_metrics([], SIDES) == CallMetrics(
        0.0, 0.0, 0.0, None, 0.0, 0.0, None, None, 0, None
    )


def test_words_with_apostrophes_and_numbers_are_counted_as_people_read_them() -> None:
    # "We're" 1, "don't" 1, "need" 1, "3" 1, "reps" 1, "until" 1, "Q2" 1 = 7 words
    # in 60 s: 7 words a minute.
    turns = [Turn("Ana", 0, 60, "We're... don't need 3 reps — until Q2.")]
    assert call_metrics(turns, SIDES).rep_words_per_min == pytest.approx(7)


def test_a_speaker_without_a_side_is_refused() -> None:
    with pytest.raises(ValidationError, match="'Dan' has no side"):
        call_metrics([Turn("Dan", 0, 1, "Hi.")], SIDES)
    with pytest.raises(ValidationError, match="use rep, buyer or other"):
        call_metrics([Turn("Dan", 0, 1, "Hi.")], {"Dan": "seller"})


def test_every_metric_has_a_plain_note_and_the_approximate_ones_say_so() -> None:
    fields = set(CallMetrics.__dataclass_fields__)
    assert set(METRIC_NOTES) == fields
    assert METRIC_NOTES["rep_questions"].startswith("Approximate")
    assert METRIC_NOTES["patience_s"].startswith("Approximate")
    assert "43%" in METRIC_NOTES["talk_share"]
    assert all(len(note) < 240 and "\n" not in note for note in METRIC_NOTES.values())


def test_a_turn_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends"):
        Turn("Ana", 5, 4, "Hi.")


# --- trackers -----------------------------------------------------------------------

TRACKERS = {
    "agree_next_step": ["next step", "by when"],
    "ask_impact": ["What would it cost you?"],
}


def test_tracker_phrases_match_whole_words_in_any_case_and_punctuation() -> None:
    turns = [
        Turn("Ana", 0, 5, "What's the next step? We can set next steps later."),
        Turn("Ben", 5, 9, "Next-step, by when? Let's see."),
        Turn("Ana", 9, 12, "That is the next stepping stone."),
        Turn("Ana", 12, 20, "Honestly... what would it COST you, if it slips?"),
    ]
    hits = find_tracker_hits(turns, TRACKERS)
    assert [
        (h.behaviour_key, h.phrase, h.turn_index, h.at_s, h.speaker, h.snippet)
        for h in hits
    ] == [
        # "next steps" and "next stepping" are not "next step": whole words only.
        ("agree_next_step", "next step", 0, 0, "Ana", "What's the next step?"),
        ("agree_next_step", "next step", 1, 5, "Ben", "Next-step, by when?"),
        ("agree_next_step", "by when", 1, 5, "Ben", "Next-step, by when?"),
        (
            "ask_impact",
            "What would it cost you?",
            3,
            12,
            "Ana",
            "what would it COST you, if it slips?",
        ),
    ]


def test_a_phrase_said_twice_gives_two_hits_and_never_spans_two_turns() -> None:
    turns = [
        Turn("Ana", 0, 5, "By when? And by when for legal? What is the next"),
        Turn("Ben", 5, 9, "step, you mean?"),
    ]
    hits = find_tracker_hits(turns, {"agree_next_step": ["by when", "next step"]})
    assert [(h.phrase, h.snippet) for h in hits] == [
        ("by when", "By when?"),
        ("by when", "And by when for legal?"),
    ]


def test_a_phrase_is_found_after_the_same_letters_inside_a_word() -> None:
    # "a a" inside "xa a a" starts at the second "a" (the first is part of "xa");
    # "next step" inside "unext step" is not a hit, the one after it is.
    turns = [Turn("Ana", 0, 5, "xa a a, unext step next step")]
    hits = find_tracker_hits(turns, {"k": ["a a", "next step"]})
    assert [(h.phrase, h.snippet) for h in hits] == [
        ("a a", "xa a a, unext step next step"),
        ("next step", "xa a a, unext step next step"),
    ]
    assert len(find_tracker_hits(turns, {"k": ["next step"]})) == 1


def test_a_phrase_of_only_punctuation_finds_nothing() -> None:
    turns = [Turn("Ana", 0, 5, "Right?! ... ok")]
    assert find_tracker_hits(turns, {"x": ["?!", "  "]}) == []


def test_a_long_sentence_gives_a_snippet_of_at_most_200_characters_around_the_hit() -> (
    None
):
    words = " ".join(f"word{i}" for i in range(80))
    text = f"{words} and the next step is a pilot {words} done."
    (hit,) = find_tracker_hits([Turn("Ana", 30, 60, text)], TRACKERS)
    assert len(hit.snippet) <= SNIPPET_CHARS == 200
    assert "the next step is a pilot" in hit.snippet
    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")
    assert hit.at_s == 30


# --- redaction ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("Write to jane.doe+crm@acme-corp.co.uk today.", "Write to [e-mail] today."),
        ("It's SAM.OKAFOR@Fabrikam.example, thanks", "It's [e-mail], thanks"),
        ("Call +1 (415) 555-0132.", "Call [phone]."),
        ("My cell is 415-555-0132.", "My cell is [phone]."),
        ("Office: 415.555.0132", "Office: [phone]"),
        ("(415) 555-0132 or (415)555-0133", "[phone] or [phone]"),
        ("London +44 20 7946 0958", "London [phone]"),
        ("Berlin 0049 30 1234567", "Berlin [phone]"),
        ("Paris +33 6 12 34 56 78 or 06 12 34 56 78", "Paris [phone] or [phone]"),
        ("UK mobile 07700 900123", "UK mobile [phone]"),
        ("Ext 5550132 works", "Ext [phone] works"),
    ],
)
def test_contacts_are_replaced(said: str, kept: str) -> None:
    assert redact(said) == kept


@pytest.mark.parametrize(
    "said",
    [
        "We have 3 reps and 12 managers.",
        "It started in 2026, budget for 2025 2026 and 2025-2026.",
        "Let's meet at 10:30 or 14:45 on Tuesday.",
        "The call is on 2026-12-07, or 07.12.2026, or 12/07/2026, or 7-12-26.",
        "The deal is $1,200,000, € 1.200.000 or 25000000 dollars.",
        "About 1 200 000 euros, 45% of it, 1234567.89 in total.",
        "Call me back in 15 minutes, at 9.",
        "Our ARR grew 250 000 to 310 000 this year.",
        "Email is the best channel; mention @acme on the invite.",
    ],
)
def test_dates_times_money_and_small_numbers_are_kept(said: str) -> None:
    assert redact(said) == said


def test_redaction_is_quick_on_a_long_run_of_digits_and_letters() -> None:
    text = "1" * 20_000 + " " + "a." * 20_000 + "@"
    assert redact(text).startswith("1" * 20_000)
