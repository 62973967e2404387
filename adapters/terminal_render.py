"""Plain-text rendering of the core's results for the terminal."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence

from adapters import deck_text, learning_text
from adapters.terminal_exam import exam_history, exam_screen
from bot.app.commands import (
    DailyStopped,
    DashboardLink,
    Help,
    Notice,
    Reply,
    TeamList,
    TeamManaged,
    TopicList,
)
from bot.app.deck_commands import DeckChanged, DeckImportForm, DeckList
from bot.app.deck_ports import ExportedDeck, ImportReport
from bot.app.digest import DigestStatusReport
from bot.choices import LETTERS
from bot.daily.models import DailyStatusReport, Reveal
from bot.exam_models import ExamHistory, ExamQuestion, ExamReport, ExamReview, ExamStopped
from bot.learning_models import ExamDateSet, PrivateQuestion, ReminderStatus, ReviewDone
from bot.models import (
    AnswerOutcome,
    FlashcardAnswer,
    Leaderboard,
    NoQuestions,
    Posted,
    QuestionView,
    Scope,
    TeamChange,
    TopicInfo,
    TopicNotFound,
    UserStats,
)
from bot.questions import Kind
from bot.recall import Grade
from bot.reports import REASON_WORDS, QuestionReport, ReportList, ReportReceived

REPORT_HINT = f"Something wrong with this question? /quiz report REASON [what is wrong] ({REASON_WORDS})"
PICK_LETTERS_HINT = "Answer with the letters of your choices (A-{last}), like B, D, or type a command."


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


def pool_used_up(view: QuestionView, any_topic: bool) -> str:
    """Said before a question that comes back because every one of its pool has been seen."""
    where = "" if any_topic else f" on {view.topic_name}"
    return f"You have seen every question{where}; starting again with the ones seen longest ago."


def topic_list(topics: Sequence[TopicInfo], width: int) -> str:
    """One topic a line, its other names wrapped under it to fit `width` columns."""
    id_width = max(len(t.id) for t in topics)
    indent = " " * (id_width + 2)
    lines = []
    for t in topics:
        wrap = textwrap.TextWrapper(width=max(width, 40), subsequent_indent=indent, break_on_hyphens=False)
        count = f"{t.question_count} question{'' if t.question_count == 1 else 's'}"
        lines.extend(wrap.wrap(f"{t.id:<{id_width}}  {t.name} ({count})"))
        if t.aliases:
            wrap.initial_indent, wrap.subsequent_indent = indent, indent + "      "
            lines.extend(wrap.wrap("also: " + ", ".join(t.aliases)))
    return "\n".join(lines)


def question(view: QuestionView) -> str:
    head = f"[{view.topic_name} · {view.difficulty.value}] {view.prompt}"
    if view.daily_date is not None:
        head = f"Question of the day, {view.daily_date:%A %d %B}:\n{head}"
    if view.kind is Kind.FLASHCARD:
        return f"{head}\n  (flashcard: type your answer, or 'show' to see it and grade yourself)"
    choices = "\n".join(f"  {LETTERS[i]}) {c}" for i, c in enumerate(view.choices))
    if view.kind is Kind.MULTIPLE_RESPONSE:
        return f"{head}\n{choices}\nAnswer with the letters of your choices, like B, D."
    how = "true or false, a letter or a number" if view.kind is Kind.TRUE_FALSE else "a letter or a number"
    return f"{head}\n{choices}\nAnswer with {how}."


def picks(result: AnswerOutcome) -> list[str]:
    """A multiple-response answer's picks, each marked right or wrong, and the right set."""
    marked = ", ".join(f"{choice} ({'right' if right else 'wrong'})" for choice, right in result.marked_picks)
    return [f"Your picks: {marked}", f"The right answers: {'; '.join(result.correct_answers)}"]


GRADE_WORDS = {"1": Grade.AGAIN, "2": Grade.HARD, "3": Grade.GOOD, "4": Grade.EASY} | {
    grade.name.casefold(): grade for grade in Grade
}
GRADE_PROMPT = "Grade yourself: 1 again (did not know), 2 hard, 3 good, 4 easy."


def flashcard(card: FlashcardAnswer) -> str:
    also = f"\nAlso accepted: {', '.join(card.accepted)}" if card.accepted else ""
    return f"Answer: {card.answer}{also}\n{card.explanation}\n{GRADE_PROMPT}"


def outcome(result: AnswerOutcome) -> str:
    if result.repeat:
        verdict = "You already answered this one: " + ("correct." if result.correct else "not correct.")
    elif result.correct:
        verdict = f"Correct! +{result.points} points."
    elif result.kind is Kind.MULTIPLE_RESPONSE:
        verdict = "Not quite: all the right choices and only those score."
    else:
        verdict = f"Not quite. The answer is: {result.correct_answer}."
    lines = [verdict]
    if result.kind is Kind.MULTIPLE_RESPONSE:
        lines += picks(result)
    lines += [result.explanation, f"Source: {result.source}"]
    if result.late:
        lines.append("The answer was already revealed, so this one scores nothing.")
    lines.append(f"Total: {result.total_points} points · streak: {result.streak}")
    lines.append(REPORT_HINT)
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
    if s.readiness is not None:
        lines += learning_text.readiness(s.readiness, learning_text.PLAIN)
        lines.append(table(learning_text.READINESS_HEADERS, learning_text.readiness_rows(s.readiness)))
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


def report_line(report: QuestionReport, where: bool = False) -> str:
    """One report on one line: when, question, reason, who (and where), and what they wrote."""
    place = f" in {report.platform}:{report.workspace}" if where else ""
    said = f": {report.text}" if report.text else ""
    return (
        f"{report.reported_at:%Y-%m-%d %H:%M} {report.question_id} · {report.reason.label} · "
        f"{report.reporter_name} ({report.reporter}){place}{said}"
    )


def reports(result: ReportList, where: bool = False) -> str:
    if not result.reports:
        return "No reports of bad questions."
    return "\n".join(report_line(report, where) for report in result.reports)


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
            return topic_list(topics, shutil.get_terminal_size().columns)
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
        case DailyStopped(text) | TeamManaged(text):
            return text
        case DigestStatusReport():
            return result.text
        case DashboardLink(url, hours, _):
            return f"Team dashboard (works for {hours} hours): {url}"
        case ReportReceived():
            return result.text
        case ReportList():
            return reports(result)
        case Notice(text):
            return text
        case PrivateQuestion():
            shown = [*learning_text.revealed(result.revealed, learning_text.PLAIN)]
            shown += [learning_text.private_heading(result), question(result.question)]
            return "\n".join(shown)
        case ReviewDone():
            return "\n".join(learning_text.review_done(result, learning_text.PLAIN))
        case ExamDateSet():
            return learning_text.exam_date_set(result, learning_text.PLAIN)
        case ReminderStatus():
            return learning_text.reminder_status(result, learning_text.PLAIN)
        case ExamQuestion() | ExamReview() | ExamReport():
            return exam_screen(result)
        case ExamHistory():
            return exam_history(result)
        case ExamStopped(text):
            return text
        case ImportReport() | DeckList() | DeckChanged() | DeckImportForm() | ExportedDeck():
            return deck_text.plain_reply(result)
    raise AssertionError(f"unhandled reply {result!r}")
