"""The core's results as Discord embeds and one-line messages.

Every string from a user, a deck or the bank goes through `safe` (markdown.py), so it shows as
written and never formats, links or pings; author names, footers and button labels are plain text
in Discord, so they are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import discord

from adapters import learning_text
from adapters.discord.markdown import safe
from bot import names
from bot.app.commands import DashboardLink, TeamList, TopicList
from bot.choices import LETTERS
from bot.models import (
    AnswerOutcome,
    FlashcardAnswer,
    Leaderboard,
    Mode,
    NoQuestions,
    Period,
    QuestionView,
    Scope,
    TeamChange,
    TopicNotFound,
    UserStats,
)
from bot.questions import MULTIPLE_RESPONSE_ANSWERS, Kind

COLOUR = discord.Colour.orange()
RIGHT, WRONG = discord.Colour.green(), discord.Colour.red()
PERIOD_NAMES = {Period.WEEK: "this week", Period.MONTH: "this month", Period.ALL: "all time"}
HELP = (
    ("/quiz", "a question from any topic"),
    ("/quiz topic:ecs", "a question on a topic (start typing for the list)"),
    ("/quiz-topics", "the topics and their short names"),
    ("/quiz-leaderboard", "who leads: this week, this month or all time; people or teams"),
    ("/quiz-team join", "join a team, creating it if needed"),
    ("/quiz-team leave", "leave your team"),
    ("/quiz-team list", "the teams of this server"),
    ("/quiz-stats", "your points, accuracy by topic and streaks"),
    ("/quiz-daily", "the question of the day here: when the next one comes"),
    ("/quiz-admin daily on", "server managers: post a question of the day here"),
    ("/quiz-admin daily off", "server managers: stop it here"),
    ("/quiz-admin reports", "server managers: the latest reports of bad questions"),
    ("/quiz-admin deck import", "server managers: import your own questions (Anki, CSV, notes) as a deck"),
    ("/quiz-admin deck list", "server managers: this server's decks; remove, export or builtin too"),
    ("/quiz-help", "this help"),
)


def shown_name(name: str) -> str:
    """A person's or team's name in a message: cleaned, capped, its Markdown shown as typed."""
    return safe(names.shown(name))


def percent(value: float) -> str:
    return f"{round(value * 100)}%"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def answer_count(count: int) -> str:
    return f"{plural(count, 'answer')} so far" if count else "No answers yet"


def long_date(day: date) -> str:
    """'Wednesday 18 November 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def question(view: QuestionView) -> discord.Embed:
    """The same embed in the channel and after each answer; the question of the day is titled so."""
    title = safe(view.topic_name)
    if view.mode is Mode.DAILY and view.daily_date is not None:
        title = f"Question of the day — {long_date(view.daily_date)}"
    embed = discord.Embed(title=title, description=safe(view.prompt), colour=COLOUR)
    if view.mode is Mode.DAILY:
        embed.set_author(name=view.topic_name)
    embed.add_field(name="Topic", value=view.topic_id)
    embed.add_field(name="Difficulty", value=view.difficulty.value)
    if view.kind is Kind.FLASHCARD:
        embed.add_field(name="Flashcard", value="Think of the answer, then press Show answer.", inline=False)
    embed.set_footer(text=answer_count(view.answer_count))
    return embed


def choice_label(index: int, text: str) -> str:
    return f"{LETTERS[index]}. {text}"


def pick_placeholder(count: int) -> str:
    return f"Choose {MULTIPLE_RESPONSE_ANSWERS.get(count, str(count))}"


def _marked_picks(result: AnswerOutcome) -> str:
    return "\n".join(f"{'✅' if right else '❌'} {safe(choice)}" for choice, right in result.marked_picks)


def outcome(result: AnswerOutcome) -> discord.Embed:
    if result.repeat:
        title = "You already answered this one: " + ("correct." if result.correct else "not correct.")
    elif result.correct:
        title = f"Correct! +{result.points} points"
    elif result.kind is Kind.MULTIPLE_RESPONSE:
        title = "Not quite: all the right choices and only those score."
    else:
        title = "Not quite."
    embed = discord.Embed(
        title=title, description=safe(result.explanation), colour=RIGHT if result.correct else WRONG
    )
    if result.kind is Kind.MULTIPLE_RESPONSE:
        embed.add_field(name="Your picks", value=_marked_picks(result), inline=False)
        embed.add_field(
            name="The right answers", value="\n".join(safe(a) for a in result.correct_answers), inline=False
        )
    elif not result.correct:
        embed.add_field(name="The answer", value=safe(result.correct_answer), inline=False)
    if result.late:
        embed.add_field(name="Late", value="The answer was already revealed, so this one scores nothing.")
    embed.add_field(name="Total", value=f"{result.total_points} points")
    embed.add_field(name="Streak", value=str(result.streak))
    embed.set_footer(text=f"Source: {result.source}")
    return embed


def flashcard(card: FlashcardAnswer) -> discord.Embed:
    embed = discord.Embed(title="The answer", description=safe(card.answer), colour=COLOUR)
    if card.accepted:
        embed.add_field(name="Also right", value=", ".join(safe(a) for a in card.accepted), inline=False)
    embed.set_footer(text="Did you know it? Be honest: it is only for you.")
    return embed


def not_found(result: TopicNotFound) -> str:
    query = safe(result.query)
    if result.suggestions:
        return f"No topic '{query}'. Did you mean {' or '.join(result.suggestions)}?"
    return f"No topic '{query}'. Topics: {', '.join(result.all_topics)}"


def no_questions(result: NoQuestions) -> str:
    return f"There are no questions on {result.topic_id} yet."


def _lines(embed: discord.Embed, lines: Iterable[str], empty: str) -> discord.Embed:
    embed.description = "\n".join(lines) or empty
    return embed


def leaderboard(board: Leaderboard) -> discord.Embed:
    title = f"Leaderboard · {board.scope.value} · {PERIOD_NAMES[board.period]}"
    rows = (
        f"**{r.rank}.** {shown_name(r.name)} · {r.points} points · {plural(r.answers, 'answer')} · "
        f"{percent(r.accuracy)} right"
        for r in board.rows
    )
    empty = "No team has points yet." if board.scope is Scope.TEAMS else "No answers yet. Be the first: /quiz"
    return _lines(discord.Embed(title=title, colour=COLOUR), rows, empty)


def stats(s: UserStats) -> discord.Embed:
    embed = discord.Embed(title=f"Stats for {shown_name(s.name)}", colour=COLOUR)
    embed.add_field(name="Team", value=shown_name(s.team) if s.team else "none")
    embed.add_field(
        name="Points",
        value=f"{s.points_week} this week · {s.points_month} this month · {s.points_all} all time",
    )
    embed.add_field(name="Answers", value=f"{s.answers}, {percent(s.accuracy)} right")
    embed.add_field(name="Streak", value=f"{s.streak} (best {s.best_streak})")
    embed.add_field(name="Daily streak", value=f"{s.daily_streak} (best {s.best_daily_streak})")
    if s.by_topic:
        lines = (
            f"{safe(t.topic_name)}: {plural(t.answers, 'answer')}, {percent(t.accuracy)} right"
            for t in s.by_topic
        )
        embed.add_field(name="By topic", value="\n".join(lines), inline=False)
    if s.readiness is not None:
        style = learning_text.Style(safe, lambda text: f"**{text}**")
        embed.add_field(
            name="Readiness", value="\n".join(learning_text.readiness(s.readiness, style)), inline=False
        )
        rows = (
            f"{safe(name)}: {ready} ready · seen {seen} · {due} due"
            for name, seen, due, ready in learning_text.readiness_rows(s.readiness)
        )
        embed.add_field(name="Readiness by topic", value="\n".join(rows)[:1024], inline=False)
    return embed


def topics(result: TopicList) -> discord.Embed:
    lines = (
        f"`{t.id}` {safe(t.name)} · {plural(t.question_count, 'question')}"
        + (f" · also {', '.join(t.aliases)}" if t.aliases else "")
        for t in result.topics
    )
    return _lines(discord.Embed(title="Topics", colour=COLOUR), lines, "The question bank is empty.")


def help_() -> discord.Embed:
    return _lines(discord.Embed(title="Studybot", colour=COLOUR), (f"`{u}` {w}" for u, w in HELP), "")


def teams(result: TeamList) -> discord.Embed:
    lines = (
        f"**{shown_name(t.name)}** · {plural(t.members, 'member')} · {t.points} points" for t in result.teams
    )
    return _lines(
        discord.Embed(title="Teams", colour=COLOUR), lines, "No teams yet. Start one: /quiz-team join"
    )


def team_change(change: TeamChange) -> str:
    if change.team is None:
        return f"You left the team {safe(change.previous or '')}."
    moved = f" (you left {safe(change.previous)})" if change.previous else ""
    return f"{'Created and joined' if change.created else 'Joined'} the team {safe(change.team)}{moved}."


def dashboard_link(link: DashboardLink) -> str:
    """Only the person who asked sees it (the reply is ephemeral)."""
    who = "every person (you are an admin)" if link.admin else "you, your team and the server's totals"
    lasts = f"works for {link.hours} hours"
    return f"Your team dashboard: <{link.url}>\nIt shows {who} and {lasts}. Keep it to yourself."
