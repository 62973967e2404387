"""Block Kit rendering of the core's results. Every string from a user or the bank is escaped.

Each function returns a message: `{"text": fallback, "blocks": [...]}` (the fallback shows in
notifications and screen readers), or a list of blocks for the App Home view.
"""

from __future__ import annotations

from adapters import learning_text
from adapters.slack import action_ids, daily_blocks, deck_blocks, exam_blocks
from adapters.slack.kit import Block, Message, button, cell, checkboxes, context, header, message, section
from adapters.slack.mrkdwn import code_block, escape
from adapters.slack.report_blocks import report_button, reports
from adapters.terminal_render import percent, table
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
from bot.app.deck_ports import ImportReport
from bot.app.digest import DigestStatusReport
from bot.choices import LETTERS
from bot.daily.models import DailyStatusReport
from bot.exam_models import ExamHistory, ExamQuestion, ExamReport, ExamReview, ExamStopped
from bot.learning_models import ExamDateSet, PrivateQuestion, Readiness, ReminderStatus, ReviewDone
from bot.models import (
    AnswerOutcome,
    FlashcardAnswer,
    Leaderboard,
    Mode,
    NoQuestions,
    Posted,
    QuestionView,
    Scope,
    TeamChange,
    TopicNotFound,
    UserStats,
)
from bot.questions import Kind
from bot.recall import Grade
from bot.reports import ReportList, ReportReceived

GRADE_BUTTONS = (
    (Grade.AGAIN, "Again", None),
    (Grade.HARD, "Hard", None),
    (Grade.GOOD, "Good", "primary"),
    (Grade.EASY, "Easy", None),
)
"""The self-grading buttons of a flashcard: py-fsrs' four ratings."""

PERIOD_TITLES = {"week": "this week", "month": "this month", "all": "all time"}


def answers_so_far(count: int) -> str:
    return f"{count} answer{'' if count == 1 else 's'} so far"


def question(view: QuestionView) -> Message:
    """The channel message: prompt, a button per choice (or "Show answer", or checkboxes and
    Submit for a multiple-response question), topic and difficulty."""
    if view.kind is Kind.FLASHCARD:
        buttons = [button("Show answer", action_ids.show_flashcard(view.instance_id), str(view.instance_id))]
        hint = "Flashcard: think of your answer, then show it and grade yourself."
    elif view.kind is Kind.MULTIPLE_RESPONSE:
        labels = [f"{LETTERS[i]}. {choice}" for i, choice in enumerate(view.choices)]
        buttons = [
            checkboxes(action_ids.picks(view.instance_id), labels),
            button("Submit", action_ids.submit(view.instance_id), str(view.instance_id), "primary"),
        ]
        hint = f"Tick {view.pick_count}, then Submit: only you will see whether you are right."
    else:
        buttons = [
            button(f"{LETTERS[i]}. {choice}", action_ids.answer(view.instance_id, i), str(i))
            for i, choice in enumerate(view.choices)
        ]
        hint = "Pick an answer: only you will see whether it is right."
    blocks = [
        section(f"*{escape(view.prompt)}*"),
        {"type": "actions", "block_id": f"choices:{view.instance_id}", "elements": buttons},
        context(
            f"{escape(view.topic_name)} · {view.difficulty.value} · {answers_so_far(view.answer_count)}"
            f" · {hint}"
        ),
    ]
    if view.daily_date is None:
        return message(f"Quiz ({view.topic_name}): {view.prompt}", blocks)
    title = f"Question of the day · {view.daily_date:%A %d %B %Y}"
    return message(f"{title}: {view.prompt}", [header(title), *blocks])


def outcome(result: AnswerOutcome) -> Message:
    """The ephemeral verdict for the one who answered."""
    if result.repeat:
        fallback = "You already answered this one: " + ("correct." if result.correct else "not correct.")
        verdict = fallback
    elif result.correct:
        fallback = f"Correct! +{result.points} points."
        verdict = f":white_check_mark: {fallback}"
    elif result.kind is Kind.MULTIPLE_RESPONSE:
        fallback = "Not quite: all the right choices and only those score."
        verdict = f":x: {fallback}"
    else:
        fallback = f"Not quite. The answer is: {result.correct_answer}."
        verdict = f":x: Not quite. The answer is: *{escape(result.correct_answer)}*."
    if result.kind is Kind.MULTIPLE_RESPONSE:
        blocks = [section(f"{verdict}\n{_picks(result)}")]
    else:
        blocks = [section(f"{verdict}\nYour answer: {escape(result.chosen)}")]
    blocks.append(section(escape(result.explanation)))
    if result.late:
        blocks.append(section("The answer was already revealed, so this one scores nothing."))
    streaks = f"streak: {result.streak}"
    if result.mode is Mode.DAILY:
        streaks += f" · daily streak: {result.daily_streak}"
    source = escape(result.source)
    blocks.append(context(f"Total: {result.total_points} points · {streaks} · source: {source}"))
    blocks.append(report_button(result.instance_id))
    return message(fallback, blocks)


def _picks(result: AnswerOutcome) -> str:
    """Each pick marked right or wrong, then the whole right set."""
    marked = "\n".join(
        f"{':white_check_mark:' if right else ':x:'} {escape(choice)}"
        for choice, right in result.marked_picks
    )
    right = ", ".join(f"*{escape(choice)}*" for choice in result.correct_answers)
    return f"Your picks:\n{marked}\nThe right answers: {right}"


def flashcard(card: FlashcardAnswer) -> Message:
    """A flashcard's answer with the self-grading buttons (or the grade given before). The
    buttons carry the instance only: which channel message shows it, the bot knows itself."""
    if card.already_answered is not None:
        return outcome(card.already_answered)
    also = f"\nAlso accepted: {escape(', '.join(card.accepted))}" if card.accepted else ""
    blocks = [
        section(f"*{escape(card.prompt)}*\nAnswer: *{escape(card.answer)}*{also}"),
        section(escape(card.explanation)),
        {
            "type": "actions",
            "block_id": f"grade:{card.instance_id}",
            "elements": [
                button(label, action_ids.self_grade(card.instance_id, grade), label.lower(), style)
                for grade, label, style in GRADE_BUTTONS
            ],
        },
        context(
            "Be honest: only you see this. Again = did not know; Hard, Good, Easy = knew it "
            "(it scores as right and comes back later the easier you found it)."
        ),
    ]
    return message(f"Answer: {card.answer}", blocks)


def leaderboard_blocks(board: Leaderboard) -> list[Block]:
    scope = "Teams" if board.scope is Scope.TEAMS else "People"
    title = f"*Leaderboard · {scope.lower()} · {PERIOD_TITLES[board.period.value]}*"
    if not board.rows:
        return [section(f"{title}\nNo answers yet. Be the first: `/quiz`")]
    who = "Team" if board.scope is Scope.TEAMS else "Name"
    rows = [(r.rank, cell(r.name), r.points, r.answers, percent(r.accuracy)) for r in board.rows]
    return [
        section(title),
        section(code_block(table(("#", who, "Points", "Answers", "Accuracy"), rows))),
        context(f"Times in {escape(board.timezone)}."),
    ]


def stats_blocks(stats: UserStats) -> list[Block]:
    team = f"team *{escape(stats.team)}*" if stats.team else "no team (`/quiz team join NAME`)"
    blocks = [
        section(
            f"*Your stats* · {team}\n"
            f"Points: {stats.points_week} this week, {stats.points_month} this month, "
            f"{stats.points_all} all time\n"
            f"Answers: {stats.answers}, {percent(stats.accuracy)} correct\n"
            f"Streak: {stats.streak} (best {stats.best_streak}) · daily streak: {stats.daily_streak} "
            f"(best {stats.best_daily_streak})"
        )
    ]
    if stats.by_topic:
        rows = [(cell(t.topic_name), t.answers, percent(t.accuracy)) for t in stats.by_topic]
        blocks.append(section(code_block(table(("Topic", "Answers", "Accuracy"), rows))))
    if stats.readiness is not None:
        blocks += readiness_blocks(stats.readiness)
    return blocks


SLACK_STYLE = learning_text.Style(escape, lambda text: f"*{text}*")


def readiness_blocks(readiness: Readiness) -> list[Block]:
    rows = [
        (cell(name), seen, due, ready) for name, seen, due, ready in learning_text.readiness_rows(readiness)
    ]
    return [
        section("\n".join(learning_text.readiness(readiness, SLACK_STYLE))),
        section(code_block(table(learning_text.READINESS_HEADERS, rows))),
    ]


def private_question(result: PrivateQuestion) -> Message:
    """A private question or a review, sent as an ephemeral message: its buttons work as a
    channel question's do, and nobody else sees it."""
    shown = question(result.question)
    lines = [
        *learning_text.revealed(result.revealed, SLACK_STYLE),
        f"*{learning_text.private_heading(result)}*",
    ]
    head = [section("\n".join(lines))]
    return message(result.question.prompt, [*head, *shown["blocks"], context(learning_text.PRIVATE_NOTE)])


def home(stats: UserStats, board: Leaderboard) -> list[Block]:
    """The App Home tab: the user's stats by topic, their team, the workspace leaderboard."""
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "Studybot"}},
        *stats_blocks(stats),
        {"type": "divider"},
        *leaderboard_blocks(board),
        context("Ask for a question in any channel with `/quiz` or `/quiz TOPIC`; `/quiz help` for more."),
    ]


def home_failure(text: str) -> list[Block]:
    return [{"type": "header", "text": {"type": "plain_text", "text": "Studybot"}}, section(escape(text))]


def reply_text(text: str) -> Message:
    return message(text, [section(escape(text))])


def _topic_not_found(result: TopicNotFound) -> Message:
    query = escape(result.query)
    if result.suggestions:
        names = " or ".join(f"`{escape(s)}`" for s in result.suggestions)
        return message(f"No topic '{result.query}'.", [section(f"No topic '{query}'. Did you mean {names}?")])
    names = ", ".join(f"`{escape(t)}`" for t in result.all_topics)
    return message(f"No topic '{result.query}'.", [section(f"No topic '{query}'. Topics: {names}")])


def _team_change(change: TeamChange) -> Message:
    if change.team is None:
        return message(
            "You left your team.", [section(f"You left the team *{escape(change.previous or '')}*.")]
        )
    moved = f" (you left *{escape(change.previous)}*)" if change.previous else ""
    verb = "Created and joined" if change.created else "Joined"
    return message(f"{verb} the team.", [section(f"{verb} the team *{escape(change.team)}*{moved}.")])


def reply(result: Reply) -> Message:
    """The ephemeral answer to a command (a posted question goes through `question`)."""
    match result:
        case Posted(view):
            return question(view)
        case TopicNotFound():
            return _topic_not_found(result)
        case NoQuestions(topic_id):
            return reply_text(f"There are no questions on {topic_id} yet.")
        case TopicList(topics):
            rows = [(t.id, t.question_count, ", ".join(t.aliases)) for t in topics]
            body = code_block(table(("Topic", "Questions", "Also"), rows))
            return message("Topics", [section("*Topics* · ask with `/quiz TOPIC`"), section(body)])
        case Help(lines):
            text = "\n".join(f"`{escape(usage)}` {escape(what)}" for usage, what in lines)
            return message("Studybot commands", [section(text)])
        case Leaderboard():
            return message("Leaderboard", leaderboard_blocks(result))
        case TeamChange():
            return _team_change(result)
        case TeamList(teams):
            if not teams:
                return reply_text("No teams yet. Start one: /quiz team join NAME")
            team_rows = [(cell(t.name), t.members, t.points) for t in teams]
            return message("Teams", [section(code_block(table(("Team", "Members", "Points"), team_rows)))])
        case UserStats():
            return message("Your stats", stats_blocks(result))
        case DailyStatusReport():
            return daily_blocks.status(result)
        case DailyStopped(text) | TeamManaged(text):
            return reply_text(text)
        case DigestStatusReport():
            return reply_text(result.text)
        case DashboardLink(url, hours, admin):
            who = "every person (you are an admin)" if admin else "you, your team and the workspace's totals"
            lasts = f"works for {hours} hours"
            text = f"<{url}|Open your team dashboard>\nIt shows {who} and {lasts}. Keep it to yourself."
            return message("Team dashboard", [section(text)])
        case ReportReceived():
            return reply_text(result.text)
        case ReportList():
            return reports(result)
        case Notice(text):
            return reply_text(text)
        case PrivateQuestion():
            return private_question(result)
        case ReviewDone():
            text = "\n".join(learning_text.review_done(result, SLACK_STYLE))
            return message("Review", [section(text)])
        case ExamDateSet():
            return message("Exam date", [section(learning_text.exam_date_set(result, SLACK_STYLE))])
        case ReminderStatus():
            return message("Reminders", [section(learning_text.reminder_status(result, SLACK_STYLE))])
        case ExamQuestion() | ExamReview() | ExamReport():
            return exam_blocks.screen(result)
        case ExamHistory():
            return exam_blocks.history(result)
        case ExamStopped(text):
            return reply_text(text)
        case ImportReport() | DeckList() | DeckChanged():
            return deck_blocks.reply(result)
        case DeckImportForm():
            # Only a written message gets here (a slash command opens the form): it has no trigger.
            return reply_text(deck_blocks.IMPORT_BY_COMMAND)
    raise AssertionError(f"unhandled reply {result!r}")
