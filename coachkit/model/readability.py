"""How easy a coach's writing is to read: the Flesch–Kincaid grade level.

Plans and notes are read by reps, so coachkit scores them and aims for grade 10 or
below. The grade is::

    0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59

Words, sentences and syllables are counted here, offline, with the hyphenation
dictionary that ships inside ``pyphen``. coachkit does not call ``textstat`` for
this: textstat 0.7.9 and later look words up in NLTK's CMU dictionary and download it
on first use (a network call, and a LookupError on a machine without one), and
importing it costs about half a second in every workbook kernel.

Counting rules
--------------
- A word is a run of letters or digits (``don't`` and ``ride-along`` each count as
  one word; a number counts as a word of one syllable).
- A sentence ends at ``.``, ``!`` or ``?`` followed by a space, or at a line break,
  so each line of a list counts on its own. Pieces of two words or fewer (``e.g.``,
  a heading) are not counted as sentences, as textstat does; their words still count.
- Syllables of a word are the larger of two estimates: the hyphenation points plus
  one (textstat's own fallback) and the groups of vowels, less a silent final *e*.
  On the shipped templates this is within 1% of the CMU dictionary's count.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from coachkit.model.formats import number

#: Texts with fewer words than this are too short to score.
MIN_WORDS = 10
#: The grade coachkit aims for: plans and notes a 10th grader reads easily.
TARGET_GRADE = 10.0

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=[\s\"')\]]|$)|\n")
_VOWELS = re.compile(r"[aeiouy]+")
_SYLLABIC_LE = re.compile(r"[^aeiouy]les?$")
# "-ed" and "-es" after most consonants add no syllable: "asked", "gives".
_SILENT_ED_ES = re.compile(r"[^aeiouytd]ed$|[^aeiouysxzhcg]es$")


@functools.cache
def _hyphenator() -> Any:
    """The English hyphenation dictionary, loaded on first use (about 0.1 s)."""
    import pyphen  # lazy: workbook kernels that never score text skip it

    return pyphen.Pyphen(lang="en_US")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _sentences(text: str) -> int:
    pieces = _SENTENCE_END.split(text)
    counted = sum(1 for piece in pieces if len(_words(piece)) > 2)
    return max(1, counted)


def _vowel_groups(word: str) -> int:
    count = len(_VOWELS.findall(word))
    if count > 1 and not _SYLLABIC_LE.search(word):
        if word.endswith("e") and not word.endswith("ee"):
            count -= 1  # a silent final e: "role", "make"; but "table" keeps it
        elif _SILENT_ED_ES.search(word):
            count -= 1
    return max(1, count)


@functools.lru_cache(maxsize=4096)
def _syllables(word: str) -> int:
    """Estimate the syllables in one word (a number counts as one)."""
    word = re.sub(r"['’]", "", word.lower())  # "don't" -> "dont", "i'll" -> "ill"
    total = 0
    for part in word.split("-"):
        if not any(c.isalpha() for c in part):
            total += 1 if part else 0
            continue
        hyphenated = len(_hyphenator().positions(part)) + 1
        total += max(hyphenated, _vowel_groups(part))
    return max(1, total)


def grade_level(text: str) -> float | None:
    """Return the Flesch–Kincaid grade of ``text``, rounded to one decimal.

    Parameters
    ----------
    text
        Plain text in English: sentences, or one thought per line.

    Returns
    -------
    float or None
        The school grade a reader needs (never below 0), or None when the text has
        fewer than :data:`MIN_WORDS` words, too few to judge.

    Notes
    -----
    Works offline and never touches the network; see the module notes for how
    words, sentences and syllables are counted.
    """
    words = _words(text)
    if len(words) < MIN_WORDS:
        return None
    syllables = sum(_syllables(w) for w in words)
    grade = 0.39 * len(words) / _sentences(text) + 11.8 * syllables / len(words) - 15.59
    return round(max(0.0, grade), 1)


@dataclass(frozen=True)
class Readability:
    """How easy a text is to read, against a target grade.

    Build one with :meth:`Readability.of`.

    Attributes
    ----------
    grade
        The Flesch–Kincaid grade (one decimal), or None when the text is too short.
    words
        How many words the text has.
    ok
        True when the grade is at or below the target, or the text is too short to
        judge (there is nothing to fix).
    target
        The grade to stay at or below.
    """

    grade: float | None
    words: int
    ok: bool
    target: float = TARGET_GRADE

    @classmethod
    def of(cls, text: str, target: float = TARGET_GRADE) -> Readability:
        """Score ``text`` against ``target`` (grade 10 unless told otherwise)."""
        grade = grade_level(text)
        ok = grade is None or grade <= target
        return cls(grade=grade, words=len(_words(text)), ok=ok, target=target)

    def label(self) -> str:
        """Say in one line how easy the text is to read.

        Examples: ``Grade 7.2: easy to read``, ``Grade 13.5: hard to read; aim for
        grade 10 or below``, ``Too short to score``.
        """
        if self.grade is None:
            return "Too short to score"
        if self.ok:
            return f"Grade {number(self.grade, 1)}: easy to read"
        return (
            f"Grade {number(self.grade, 1)}: hard to read; "
            f"aim for grade {number(self.target, 1, trim=True)} or below"
        )
