"""Recorded calls for the demo team: made-up transcripts that read like real ones.

Each rep has about one recorded call a week they were at work, over the last
:data:`WEEKS` weeks of the history, each with one or two people from a made-up
buyer. How a call goes follows the rep's hidden profile and their skill:

- **talk share**: strong reps let the buyer talk (near Gong's 43%), struggling
  reps pitch (two thirds of the talking and more);
- **monologues**: a struggling rep now and then talks for two minutes or more
  without a break; a strong one rarely;
- **questions**: more and better ones from reps rated higher on "ask impact
  questions", and more after coaching on it starts for reps who respond to it;
- **tracker phrases**: a behaviour's phrases come up more often the higher the
  rep's rating on it, so Observe and Assess have evidence to confirm or dismiss.

The calls are saved through :func:`coachkit.model.calls.store.save_calls`, inside
the demo's one transaction, so the weekly call metrics come out as they would for
a real import. The randomness is the calls' own (seeded from the demo's seed and
the rep's name), so the rest of the demo is the same with or without them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence

from sqlalchemy.engine import Connection

from coachkit.demo.framework import _Framework
from coachkit.demo.people import _Rep
from coachkit.demo.timeline import _Calendar
from coachkit.model.calls.store import save_calls
from coachkit.model.calls.transcript import Transcript, Turn
from coachkit.model.tracker_phrases import tracker_phrases

#: How many weeks back from the end of the history the demo records calls.
WEEKS = 16

_SHARE = {"strong": 0.44, "core": 0.55, "struggling": 0.66}
_BUYERS = (
    "Dana Ruiz",
    "Lee Park",
    "Priya Shah",
    "Tom Becker",
    "Nora Quinn",
    "Omar Haddad",
    "Grace Liu",
    "Felix Wagner",
    "Maya Cohen",
    "Ivan Petrov",
)
_COMPANIES = ("Acme", "Northwind", "Globex", "Initech", "Umbrella", "Vandelay")
_REP_SAYS = (
    "Thanks for making the time today.",
    "Let me share how other teams like yours use it.",
    "Our platform pulls the numbers together in one place.",
    "That is a common pattern we see with teams your size.",
    "I can show you the reporting side in a moment.",
    "The setup usually takes two to three weeks.",
    "Most customers start with one team and grow from there.",
    "We integrate with the tools you already use.",
)
_PITCH = (
    "So the way it works is that every call is logged, every note is synced, "
    "the dashboards refresh overnight, your managers get a weekly digest, and "
    "on top of that there is an analytics layer that lets you slice the data "
    "by region, by segment and by product line, which our customers love."
)
_QUESTIONS = (
    "How do you handle that today?",
    "What happens when a deal slips?",
    "Who else is involved in that decision?",
    "What would you change first?",
    "How are you measuring it now?",
    "Can you walk me through a typical week?",
    "What made this a priority now?",
)
#: Sentences a tracker phrase is said in.
_FRAMES = (
    "I want to come back to {} before we finish.",
    "Quick one on {}, if that is all right.",
    "You said it yourself: {}. Let us keep that in view.",
)
#: How a rep says each shipped tracker phrase (the frameworks in data/templates),
#: so the demo's evidence reads like a real call; other phrases use a frame.
_SAID = {
    "what prompted": "What prompted you to look at this now?",
    "you mentioned": "You mentioned the Friday reports. How long do they take?",
    "i noticed": "I noticed your team doubled this year. How has that gone?",
    "your goal": "What is your goal for the next two quarters?",
    "reason for my call": "The reason for my call is your new sales region.",
    "budget": "Is there a budget set aside for this yet?",
    "who signs": "Who signs off when a tool like this is bought?",
    "sign off on": "Who would need to sign off on a change like this?",
    "decision maker": "Is your CFO the decision maker here, or someone else?",
    "who else": "Who else feels this problem day to day?",
    "loop in": "Should we loop in your operations lead next time?",
    "your team": "How does your team handle that today?",
    "other departments": "Do other departments use the same numbers?",
    "agenda": "Here is the agenda I sent. Anything you want to change?",
    "by the end of this call": "By the end of this call, we know if a pilot fits.",
    "does that work for you": "Numbers first, then the demo. Does that work for you?",
    "anything to add": "Before we start, anything to add to the list?",
    "what does that cost": "When a forecast is wrong, what does that cost you?",
    "how much time": "How much time does the team spend on that each week?",
    "what happens if": "What happens if the board sees another miss?",
    "impact on": "What is the impact on your hiring plans?",
    "how does that affect": "How does that affect the managers' weeks?",
    "if nothing changes": "And if nothing changes, where are you in a year?",
    "what's behind": "What's behind the worry about the rollout?",
    "tell me more about": "Tell me more about the last rollout.",
    "help me understand": "Help me understand what went wrong with it.",
    "does that answer": "We do it in two weeks, with your admin. Does that answer it?",
    "concern": "What is your main concern with moving this quarter?",
    "next step": "So the next step is a pilot with your west team.",
    "by when": "By when could you get the data owner on a call?",
    "calendar invite": "I will send a calendar invite for Thursday at ten.",
    "send you a recap": "I will send you a recap with the numbers we discussed.",
    "put it in the calendar": "Shall we put it in the calendar now?",
    "success look like": "What would success look like for you in six months?",
    "how will you measure": "How will you measure that the change worked?",
    "what would good look like": "What would good look like for the managers?",
    "criteria": "What are your criteria for picking a vendor?",
    "mutual plan": "Can we write a mutual plan with dates for both sides?",
    "timeline": "What timeline are you working to for the decision?",
    "who else needs to": "Who else needs to agree before you sign?",
    "sign-off": "Does legal sign-off usually take long?",
    "return on": "Let us work out the return on the time saved.",
    "payback": "At your numbers, the payback is about five months.",
    "per year": "That comes to about four hundred hours per year.",
    "save you": "How many hours would that save you each month?",
}
_BUYER_SAYS = (
    "That makes sense.",
    "Right, we have tried something like that before.",
    "Our biggest problem is that the data lives in three places.",
    "Honestly the team spends a lot of Fridays on reports.",
    "We had a bad quarter and leadership wants answers.",
    "I would need to check with finance on that.",
    "We looked at two other vendors last year.",
    "The last rollout took far longer than planned.",
)
_STORY = (
    "Let me give you some background. Last year we grew the team from eight to "
    "twenty people, and every manager started keeping their own spreadsheet. By "
    "the summer nobody trusted the forecast, and the board meeting in September "
    "was rough, so now the question is how we avoid that again."
)


def demo_calls(
    conn: Connection,
    team: Sequence[_Rep],
    fw: _Framework,
    cal: _Calendar,
    seed: int,
) -> int:
    """Save the demo team's calls; return how many there are."""
    phrases = tracker_phrases(conn)
    weeks = cal.weeks[-WEEKS:]
    first = len(cal.weeks) - len(weeks)
    impact = next((b for b in fw.behaviours if b.key == "ask_impact_questions"), None)
    total = 0
    for rep in team:
        rng = random.Random(f"{seed}-calls-{rep.name}")
        buyers = rng.sample(_BUYERS, 4)
        transcripts = []
        for i, monday in enumerate(weeks):
            present = rep.present is None or bool(rep.present[first + i])
            if not present or rng.random() < 0.15:
                continue
            day = monday + dt.timedelta(days=rng.randrange(5))
            if day > cal.today:
                continue
            coached = (
                impact is not None
                and rep.responder
                and rep.plan_start is not None
                and day >= rep.plan_start
                and any(f.behaviour.id == impact.id for f in rep.focus)
            )
            skill = {b.id: rep.skill_on(b.id, day) for b in fw.behaviours}
            transcripts.append(
                _call(rng, rep, day, buyers, skill, phrases, impact, coached)
            )
        if transcripts:
            sides = {rep.name: "rep"} | dict.fromkeys(buyers, "buyer")
            save_calls(conn, rep.coach, rep.id, transcripts, sides=sides)
            total += len(transcripts)
    return total


def _call(
    rng: random.Random,
    rep: _Rep,
    day: dt.date,
    buyers: Sequence[str],
    skill: Mapping[int, int],
    phrases: Mapping[int, tuple[str, ...]],
    impact: object,
    coached: bool,
) -> Transcript:
    """One call of 15 to 35 minutes, turn by turn."""
    share = min(0.85, max(0.3, rng.gauss(_SHARE[rep.profile], 0.06)))
    impact_id = getattr(impact, "id", None)
    asks = 0.12 + 0.05 * (skill.get(impact_id, 3) if impact_id else 3)
    asks += 0.12 if coached else 0.0
    people = buyers[: 1 + (rng.random() < 0.3)]
    company = rng.choice(_COMPANIES)
    length = rng.uniform(15, 35) * 60
    turns: list[Turn] = []
    at = 0.0
    while at < length:
        rep_turn = rng.random() < share
        if rep_turn:
            text, seconds = _rep_line(rng, rep, skill, phrases, asks)
            speaker = rep.name
        else:
            story = rng.random() < 0.08
            text = _STORY if story else rng.choice(_BUYER_SAYS)
            seconds = rng.uniform(60, 110) if story else rng.uniform(6, 30)
            speaker = rng.choice(people)
        turns.append(Turn(speaker, round(at, 1), round(at + seconds, 1), text))
        at += seconds + rng.uniform(0.3, 2.5)
    title = f"{company} – {rep.name.split()[0]} and {people[0]}"
    return Transcript(
        tuple(turns), "zoom_vtt", day, f"demo-{day.isoformat()}-{company}", title
    )


def _rep_line(
    rng: random.Random,
    rep: _Rep,
    skill: Mapping[int, int],
    phrases: Mapping[int, tuple[str, ...]],
    asks: float,
) -> tuple[str, float]:
    pitchy = {"strong": 0.02, "core": 0.06, "struggling": 0.14}[rep.profile]
    if rng.random() < pitchy:
        return _PITCH + " " + _PITCH, rng.uniform(100, 170)
    if rng.random() < asks:
        return rng.choice(_QUESTIONS), rng.uniform(3, 9)
    if phrases and rng.random() < 0.2:
        behaviour_id = rng.choice(list(phrases))
        if rng.random() < skill.get(behaviour_id, 3) / 6:
            phrase = rng.choice(phrases[behaviour_id])
            said = _SAID.get(phrase.casefold()) or rng.choice(_FRAMES).format(phrase)
            return said, rng.uniform(6, 14)
    return rng.choice(_REP_SAYS), rng.uniform(8, 40)
