"""The words the demo puts in rows: evidence, notes, session notes, actions.

Plain English, short sentences. The pools are sampled with the demo's seeded
generators, so any edit to a pool (even its order) changes the demo's output.
"""

_VENUES = ("calls I heard", "meetings I joined", "call recordings I listened to")
_SELF_EVIDENCE = (
    "I think I do this in most of my calls.",
    "I do this when I have time to prepare.",
    "I find this hard when the buyer is in a hurry.",
    "I got better at this since last quarter.",
    "I am not sure what good looks like here.",
    "I do this well in small deals, less in big ones.",
)
_NOTES = {
    "seen": (
        "Clear and calm. The buyer agreed right away.",
        "Used the buyer's own words. Nice.",
        "Did it without a prompt.",
        "A good example to share with the team.",
    ),
    "partly": (
        "Started well but lost it near the end.",
        "Did it, but rushed it.",
        "Needed a prompt from me first.",
        "The buyer pushed back and the rep moved on too fast.",
    ),
    "missed": (
        "Skipped it. The buyer took over the call.",
        "Forgot it under time pressure.",
        "Talked about the product instead.",
        "Did not check with the buyer.",
    ),
}
_WENT_WELL = (
    "You used the prep sheet and it showed. The buyer opened up early.",
    "Good energy on the call. You kept the buyer talking.",
    "You tried the new opening twice, and it worked the second time.",
    "You asked for the next step without a prompt from me.",
    "You listened more than you talked. That is the goal.",
    "You stayed calm when the buyer pushed back on price.",
)
_TO_CHANGE = (
    "Slow down after the buyer's first answer and ask one more question.",
    "Send the agenda a day before, not an hour before.",
    "Write down the buyer's numbers during the call.",
    "Check that the buyer agrees before you move on.",
    "Ask who else should be in the next meeting.",
    "Keep the demo short and tie each part to a buyer goal.",
)
_REP_VIEW = (
    "This felt useful. I want to try it on Thursday's call.",
    "I knew this but never did it. The practice helped.",
    "Hard to do with busy buyers. I will try the short version.",
    "I would like to hear a top rep do this.",
    "The role play felt odd, but it helped.",
    "",
)
_REP_ACTIONS = (
    "Send a short agenda before each first meeting this week.",
    "Listen to two calls from top reps and note their questions.",
    "Try the new opening on five calls and note what happens.",
    "Write a one-page summary for the champion at the largest account.",
    "Ask the budget owner for a 20-minute meeting at two accounts.",
    "Update the joint plan with the buyer at one account.",
    "Practice the pricing talk out loud twice before Friday.",
    "Add the buyer's own numbers to the business case for one deal.",
)
_COACH_ACTIONS = (
    "Share three good call recordings.",
    "Set up a role play for next week.",
    "Join the next call with the budget owner.",
    "Send the business case template.",
    "Ask a top rep to show their account plan.",
)
_REFLECTIONS = (
    "I talked too much in my sessions this week. Next week I will ask first and "
    "tell later.",
    "Two reps missed their actions. I need to agree on smaller steps.",
    "Ride-alongs gave me better notes than call reviews.",
    "I moved three sessions this month. I will block the time on Monday mornings.",
    "The direct style worked well with new reps. It felt flat with senior ones.",
    "I should check goals at the start of each session, not the end.",
    "Coaching on agendas is paying off. More meetings end with a next step.",
    "I need more data before I can tell if coaching on business cases works.",
)

#: A rep's view with markup in it: the screens must show it as text.
_HTML_NOTE = '<b>Pricing</b> call went well & buyer said "yes"'
