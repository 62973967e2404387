"""Plain-text rendering of the core's results for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from bot.app.commands import DailyStopped, DashboardLink, Help, Notice, Reply, TeamList, TopicList
from bot.app.digest import DigestStatusReport
from bot.daily.models import DailyStatusReport, Reveal
from bot.models import (
    AnswerOutcome,
    Leaderboard,
    NoQuestions,
    Posted,
    QuestionView,
    Scope,
    TeamChange,
    TopicNotFound,
    UserStats,
)
from bot.questions import Kind

LETTERS = "ABCDEF"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns aligned: text left, numbers right."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [
        all(isinstance(row[i], int | float) or str(row[i]).endswith("%") for row in rows)
        for i in range(len(headers))
    ]
    lines = []
    for r in cells:
        parts = [
            c.rjust(w) if numeric[i] else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def question(view: QuestionView) -> str:
    head = f"[{view.topic_name} · {view.difficulty.value}] {view.prompt}"
    if view.daily_date is not None:
        head = f"Question of the day, {view.daily_date:%A %d %B}:\n{head}"
    if view.kind is Kind.FLASHCARD:
        return f"{head}\n  (flashcard: type your answer)"
    choices = "\n".join(f"  {LETTERS[i]}) {c}" for i, c in enumerate(view.choices))
    return f"{head}\n{choices}\nAnswer with a letter or a number."


def outcome(result: AnswerOutcome) -> str:
    if result.repeat:
        verdict = "You already answered this one: " + ("correct." if result.correct else "not correct.")
    elif result.correct:
        verdict = f"Correct! +{result.points} points."
    else:
        verdict = f"Not quite. The answer is: {result.correct_answer}."
    lines = [verdict, result.explanation, f"Source: {result.source}"]
    if result.late:
        lines.append("The answer was already revealed, so this one scores nothing.")
    lines.append(f"Total: {result.total_points} points · streak: {result.streak}")
    return "\n".join(lines)


def percent(value: float) -> str:
    return f"{round(value * 100)}%"


def leaderboard(board: Leaderboard) -> str:
    title = (
        f"Leaderboard · {board.scope.value} · "
        + {"week": "this week", "month": "this month", "all": "all time"}[board.period.value]
    )
    if not board.rows:
        return f"{title}\nNo answers yet. Be the first: /quiz"
    who = "Team" if board.scope is Scope.TEAMS else "Name"
    rows = [(r.rank, r.name, r.points, r.answers, percent(r.accuracy)) for r in board.rows]
    return f"{title}\n" + table(("#", who, "Points", "Answers", "Accuracy"), rows)


def stats(s: UserStats) -> str:
    lines = [
        f"{s.name}" + (f" · team {s.team}" if s.team else " · no team"),
        f"Points: {s.points_week} this week, {s.points_month} this month, {s.points_all} all time",
        f"Answers: {s.answers}, {percent(s.accuracy)} correct",
        f"Streak: {s.streak} (best {s.best_streak}) · daily streak: {s.daily_streak} "
        f"(best {s.best_daily_streak})",
    ]
    if s.by_topic:
        rows = [(t.topic_name, t.answers, percent(t.accuracy)) for t in s.by_topic]
        lines.append(table(("Topic", "Answers", "Accuracy"), rows))
    return "\n".join(lines)


def daily_status(report: DailyStatusReport) -> str:
    subscription = report.subscription
    if subscription is None:
        return "No question of the day here. An admin can start one: /quiz daily on all at 09:00"
    topic = subscription.topic_id or "all topics"
    when = (
        f"{subscription.hour:02d}:{subscription.minute:02d} {subscription.timezone} ({subscription.weekdays})"
    )
    reveal = (
        f"{subscription.reveal[0]:02d}:{subscription.reveal[1]:02d}"
        if subscription.reveal
        else "the next post"
    )
    line = f"Question of the day: {topic} at {when}; the answer is revealed at {reveal}."
    if subscription.paused_reason:
        return f"{line}\nPaused: {subscription.paused_reason}. Turn it on again with /quiz daily on."
    if report.next_post is not None:
        line += f"\nNext post: {report.next_post:%A %d %B %Y %H:%M %Z}."
    return line


def reveal(result: Reveal) -> str:
    lines = [
        f"Answer to the question of the day of {result.daily_date:%d %B}: {result.answer}",
        result.explanation,
        f"{result.answered} answered, {percent(result.share_correct)} correct.",
    ]
    if result.first_correct:
        lines.append("First correct: " + ", ".join(result.first_correct))
    if result.teams:
        rows = [(t.name, t.answered, t.correct) for t in result.teams]
        lines.append(table(("Team", "Answered", "Correct"), rows))
    return "\n".join(lines)


def reply(result: Reply) -> str:
    match result:
        case Posted(view):
            return question(view)
        case TopicNotFound(query, suggestions, all_topics):
            if suggestions:
                return f"No topic '{query}'. Did you mean {' or '.join(suggestions)}?"
            return f"No topic '{query}'. Topics: {', '.join(all_topics)}"
        case NoQuestions(topic_id):
            return f"There are no questions on {topic_id} yet."
        case TopicList(topics):
            rows = [(t.id, t.name, t.question_count, ", ".join(t.aliases)) for t in topics]
            return table(("Topic", "Name", "Questions", "Also"), rows)
        case Help(lines):
            return (
                "\n".join(f"  {usage:<45} {what}" for usage, what in lines) + "\n  quit" + " " * 42 + "leave"
            )
        case Leaderboard():
            return leaderboard(result)
        case TeamChange(team, previous, created):
            if team is None:
                return f"You left the team {previous}."
            moved = f" (you left {previous})" if previous else ""
            return f"{'Created and joined' if created else 'Joined'} the team {team}{moved}."
        case TeamList(teams):
            if not teams:
                return "No teams yet. Start one: /quiz team join NAME"
            return table(("Team", "Members", "Points"), [(t.name, t.members, t.points) for t in teams])
        case UserStats():
            return stats(result)
        case DailyStatusReport():
            return daily_status(result)
        case DailyStopped(text):
            return text
        case DigestStatusReport():
            return result.text
        case DashboardLink(url, hours, _):
            return f"Team dashboard (works for {hours} hours): {url}"
        case Notice(text):
            return text
    raise AssertionError(f"unhandled reply {result!r}")
