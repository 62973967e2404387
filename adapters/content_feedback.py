"""`studybot content reports` and `studybot content stats`: what learners reported, and how
each question is answered, for the people who look after the bank. Every workspace is shown."""

from __future__ import annotations

from adapters import terminal_render as render
from bot.bootstrap import build_core
from bot.reports import FLAG_EASY_ABOVE, FLAG_HARD_BELOW, FLAG_MIN_PEOPLE, QuestionCounts
from bot.settings import Settings

WRONG_PICKS_SHOWN = 3


async def show_reports(settings: Settings) -> int:
    core = await build_core(settings)
    try:
        found = await core.feedback.all_reports()
    finally:
        await core.close()
    print(render.reports(found, where=True))
    return 0


def stats_text(counts: list[QuestionCounts], flagged_only: bool = False) -> str:
    """The answered questions as a table (share right of every answer; people, and the share of
    them right the first time, which the flag is about), then the wrong choices picked most."""
    answered = [c for c in counts if c.answers and (c.flag or not flagged_only)]
    flagged = sum(1 for c in counts if c.flag)
    head = (
        f"{len(answered)} of {len(counts)} questions shown; {flagged} flagged (at least "
        f"{FLAG_MIN_PEOPLE} people, and more than {render.percent(FLAG_EASY_ABOVE)} or less than "
        f"{render.percent(FLAG_HARD_BELOW)} of them right the first time)."
    )
    if not answered:
        return head
    rows = [
        (
            c.question_id,
            c.answers,
            render.percent(c.share_right),
            c.people,
            render.percent(c.people_share_right),
            c.flag or "",
        )
        for c in answered
    ]
    lines = [render.table(("Question", "Answers", "Right", "People", "Right 1st", "Flag"), rows), head]
    picked = [c for c in answered if c.wrong_picks]
    if picked:
        lines.append("Wrong choices picked most:")
    for c in picked:
        most = sorted(c.wrong_picks.items(), key=lambda item: (-item[1], item[0]))[:WRONG_PICKS_SHOWN]
        shown = "; ".join(f"{choice!r} {n}× ({render.percent(n / c.answers)})" for choice, n in most)
        lines.append(f"  {c.question_id}: {shown}")
    return "\n".join(lines)


async def show_stats(settings: Settings, flagged_only: bool) -> int:
    core = await build_core(settings)
    try:
        counts = await core.feedback.counts()
    finally:
        await core.close()
    print(stats_text(counts, flagged_only))
    return 0
