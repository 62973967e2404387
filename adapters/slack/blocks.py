"""Block Kit rendering of the core's results. Every string from a user or the bank is escaped.

Each function returns a message: `{"text": fallback, "blocks": [...]}` (the fallback shows in
notifications and screen readers), or a list of blocks for the App Home view.
"""

from __future__ import annotations

from typing import Any

from adapters.slack import action_ids
from adapters.slack.mrkdwn import code_block, escape
from adapters.terminal_render import LETTERS, percent, table
from bot.commands import Help, Notice, Reply, TeamList, TopicList
from bot.models import (
    AnswerOutcome,
    FlashcardAnswer,
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

Block = dict[str, Any]
Message = dict[str, Any]

BUTTON_TEXT_MAX = 75
NAME_WIDTH = 24
PERIOD_TITLES = {"week": "this week", "month": "this month", "all": "all time"}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    label = text if len(text) <= BUTTON_TEXT_MAX else text[: BUTTON_TEXT_MAX - 1] + "…"
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": False},
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        button["style"] = style
    return button


def _message(fallback: str, blocks: list[Block]) -> Message:
    """`fallback` is plain text (escaped here: Slack parses it as mrkdwn too)."""
    return {"text": escape(fallback), "blocks": blocks}


def _cell(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"


def answers_so_far(count: int) -> str:
    return f"{count} answer{'' if count == 1 else 's'} so far"


def question(view: QuestionView) -> Message:
    """The channel message: prompt, a button per choice (or "Show answer"), topic and difficulty."""
    if view.kind is Kind.FLASHCARD:
        buttons = [_button("Show answer", action_ids.show_flashcard(view.instance_id), str(view.instance_id))]
        hint = "Flashcard: think of your answer, then show it and grade yourself."
    else:
        buttons = [
            _button(f"{LETTERS[i]}. {choice}", action_ids.answer(view.instance_id, i), str(i))
            for i, choice in enumerate(view.choices)
        ]
        hint = "Pick an answer: only you will see whether it is right."
    blocks = [
        _section(f"*{escape(view.prompt)}*"),
        {"type": "actions", "block_id": f"choices:{view.instance_id}", "elements": buttons},
        _context(
            f"{escape(view.topic_name)} · {view.difficulty.value} · {answers_so_far(view.answer_count)}"
            f" · {hint}"
        ),
    ]
    return _message(f"Quiz ({view.topic_name}): {view.prompt}", blocks)


def outcome(result: AnswerOutcome) -> Message:
    """The ephemeral verdict for the one who answered."""
    if result.repeat:
        fallback = "You already answered this one: " + ("correct." if result.correct else "not correct.")
        verdict = fallback
    elif result.correct:
        fallback = f"Correct! +{result.points} points."
        verdict = f":white_check_mark: {fallback}"
    else:
        fallback = f"Not quite. The answer is: {result.correct_answer}."
        verdict = f":x: Not quite. The answer is: *{escape(result.correct_answer)}*."
    blocks = [
        _section(f"{verdict}\nYour answer: {escape(result.chosen)}"),
        _section(escape(result.explanation)),
    ]
    if result.late:
        blocks.append(_section("The answer was already revealed, so this one scores nothing."))
    blocks.append(
        _context(
            f"Total: {result.total_points} points · streak: {result.streak} · source: {escape(result.source)}"
        )
    )
    return _message(fallback, blocks)


def flashcard(card: FlashcardAnswer, message_ref: str) -> Message:
    """A flashcard's answer with the self-grading buttons (or the grade given before).

    The buttons' value is the channel message's reference, whose answer count a grade updates.
    """
    if card.already_answered is not None:
        return outcome(card.already_answered)
    also = f"\nAlso accepted: {escape(', '.join(card.accepted))}" if card.accepted else ""
    blocks = [
        _section(f"*{escape(card.prompt)}*\nAnswer: *{escape(card.answer)}*{also}"),
        _section(escape(card.explanation)),
        {
            "type": "actions",
            "block_id": f"grade:{card.instance_id}",
            "elements": [
                _button("I knew it", action_ids.self_grade(card.instance_id, True), message_ref, "primary"),
                _button("Not yet", action_ids.self_grade(card.instance_id, False), message_ref),
            ],
        },
        _context("Be honest: only you see this, and it scores as you grade it."),
    ]
    return _message(f"Answer: {card.answer}", blocks)


def leaderboard_blocks(board: Leaderboard) -> list[Block]:
    scope = "Teams" if board.scope is Scope.TEAMS else "People"
    title = f"*Leaderboard · {scope.lower()} · {PERIOD_TITLES[board.period.value]}*"
    if not board.rows:
        return [_section(f"{title}\nNo answers yet. Be the first: `/quiz`")]
    who = "Team" if board.scope is Scope.TEAMS else "Name"
    rows = [(r.rank, _cell(r.name), r.points, r.answers, percent(r.accuracy)) for r in board.rows]
    return [
        _section(title),
        _section(code_block(table(("#", who, "Points", "Answers", "Accuracy"), rows))),
        _context(f"Times in {escape(board.timezone)}."),
    ]


def stats_blocks(stats: UserStats) -> list[Block]:
    team = f"team *{escape(stats.team)}*" if stats.team else "no team (`/quiz team join NAME`)"
    blocks = [
        _section(
            f"*Your stats* · {team}\n"
            f"Points: {stats.points_week} this week, {stats.points_month} this month, "
            f"{stats.points_all} all time\n"
            f"Answers: {stats.answers}, {percent(stats.accuracy)} correct\n"
            f"Streak: {stats.streak} (best {stats.best_streak}) · daily streak: {stats.daily_streak} "
            f"(best {stats.best_daily_streak})"
        )
    ]
    if stats.by_topic:
        rows = [(_cell(t.topic_name), t.answers, percent(t.accuracy)) for t in stats.by_topic]
        blocks.append(_section(code_block(table(("Topic", "Answers", "Accuracy"), rows))))
    return blocks


def home(stats: UserStats, board: Leaderboard) -> list[Block]:
    """The App Home tab: the user's stats by topic, their team, the workspace leaderboard."""
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "Studybot"}},
        *stats_blocks(stats),
        {"type": "divider"},
        *leaderboard_blocks(board),
        _context("Ask for a question in any channel with `/quiz` or `/quiz TOPIC`; `/quiz help` for more."),
    ]


def home_failure(text: str) -> list[Block]:
    return [{"type": "header", "text": {"type": "plain_text", "text": "Studybot"}}, _section(escape(text))]


def reply_text(text: str) -> Message:
    return _message(text, [_section(escape(text))])


def _topic_not_found(result: TopicNotFound) -> Message:
    query = escape(result.query)
    if result.suggestions:
        names = " or ".join(f"`{escape(s)}`" for s in result.suggestions)
        return _message(
            f"No topic '{result.query}'.", [_section(f"No topic '{query}'. Did you mean {names}?")]
        )
    names = ", ".join(f"`{escape(t)}`" for t in result.all_topics)
    return _message(f"No topic '{result.query}'.", [_section(f"No topic '{query}'. Topics: {names}")])


def _team_change(change: TeamChange) -> Message:
    if change.team is None:
        return _message(
            "You left your team.", [_section(f"You left the team *{escape(change.previous or '')}*.")]
        )
    moved = f" (you left *{escape(change.previous)}*)" if change.previous else ""
    verb = "Created and joined" if change.created else "Joined"
    return _message(f"{verb} the team.", [_section(f"{verb} the team *{escape(change.team)}*{moved}.")])


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
            return _message("Topics", [_section("*Topics* · ask with `/quiz TOPIC`"), _section(body)])
        case Help(lines):
            text = "\n".join(f"`{escape(usage)}` {escape(what)}" for usage, what in lines)
            return _message("Studybot commands", [_section(text)])
        case Leaderboard():
            return _message("Leaderboard", leaderboard_blocks(result))
        case TeamChange():
            return _team_change(result)
        case TeamList(teams):
            if not teams:
                return reply_text("No teams yet. Start one: /quiz team join NAME")
            rows = [(_cell(t.name), t.members, t.points) for t in teams]
            return _message("Teams", [_section(code_block(table(("Team", "Members", "Points"), rows)))])
        case UserStats():
            return _message("Your stats", stats_blocks(result))
        case Notice(text):
            return reply_text(text)
    raise AssertionError(f"unhandled reply {result!r}")
