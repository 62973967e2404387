"""The terminal adapter: `studybot chat`, the quiz played in a terminal or driven by a script."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace

from adapters import terminal_render as render
from bot.app.commands import Commands, Notice
from bot.app.quiz import QuizService
from bot.choices import LETTERS, parse_letters
from bot.daily.models import Reveal
from bot.errors import UserFacingError
from bot.grammar import MAX_COMMAND_LENGTH, JoinTeam, ShowStats, parse
from bot.models import Actor, Place, Posted, QuestionView, UserStats
from bot.questions import Kind
from bot.reports import ReportQuestion

PLATFORM, WORKSPACE, CHANNEL = "terminal", "local", "terminal"
QUIT_WORDS = {"quit", "exit", "/quit", "/exit", "q"}

log = logging.getLogger(__name__)

ReadLine = Callable[[], Awaitable[str | None]]
Write = Callable[[str], None]


class TerminalChat:
    """The chat, and the poster through which the question of the day reaches it."""

    def __init__(self, quiz: QuizService, commands: Commands, user: str, write: Write) -> None:
        self.quiz = quiz
        self.commands = commands
        self.actor = Actor(PLATFORM, WORKSPACE, user, user, "terminal", is_admin=True)
        self.write = write
        self.pending: QuestionView | None = None
        self.last_shown: QuestionView | None = None
        """The question `/quiz report` is about: the last one shown, answered or not."""

    async def post_question(self, target: Place, question: QuestionView) -> str:
        self.pending = self.last_shown = question
        self.write(render.question(question))
        return str(question.instance_id)

    async def post_reveal(self, target: Place, reveal: Reveal) -> None:
        self.write(render.reveal(reveal))

    async def join(self, team: str) -> None:
        """Join a team at start (`--team`); being in it already is fine."""
        command = parse(f"team join {team}")
        if not isinstance(command, JoinTeam):
            self.write(render.reply(Notice(getattr(command, "message", "That team name cannot be used."))))
            return
        stats = await self.commands.execute(self.actor, CHANNEL, ShowStats())
        membership = stats.team if isinstance(stats, UserStats) else None
        if membership is None or membership.casefold() != command.name.casefold():
            self.write(render.reply(await self.commands.execute(self.actor, CHANNEL, command)))

    def _choice_index(self, text: str, view: QuestionView) -> int | None:
        token = text.strip().rstrip(").").casefold()
        if len(token) == 1 and token in LETTERS.casefold()[: len(view.choices)]:
            return LETTERS.casefold().index(token)
        if token.isdigit() and 1 <= int(token) <= len(view.choices):
            return int(token) - 1
        return None

    async def _answer(self, text: str, view: QuestionView) -> str:
        if view.kind is Kind.FLASHCARD:
            result = await self.quiz.answer_text(self.actor, view.instance_id, text)
        elif view.kind is Kind.MULTIPLE_RESPONSE:
            picks = parse_letters(text, len(view.choices))
            if picks is None:
                return render.PICK_LETTERS_HINT.format(last=LETTERS[len(view.choices) - 1])
            result = await self.quiz.answer_choices(self.actor, view.instance_id, picks)
        else:
            index = self._choice_index(text, view)
            if index is None:
                last = LETTERS[len(view.choices) - 1]
                return f"Answer with a letter A-{last} or a number 1-{len(view.choices)}, or type a command."
            result = await self.quiz.answer_choice(self.actor, view.instance_id, index)
        self.pending = None
        return render.outcome(result)

    async def handle(self, line: str) -> str:
        """One line in, the text to show out."""
        text = line.strip()
        if not text:
            return "Nothing typed. Type /quiz help for the commands, or quit to leave."
        if len(text) > MAX_COMMAND_LENGTH:
            return f"That is too long (at most {MAX_COMMAND_LENGTH} characters)."
        try:
            if self.pending is not None and not text.startswith("/"):
                return await self._answer(text, self.pending)
            if text.startswith("/") and not text.casefold().startswith("/quiz"):
                return f"Unknown command '{text.split()[0]}'. Type /quiz help for the commands."
            command = parse(text)
            if isinstance(command, ReportQuestion) and self.last_shown is not None:
                command = replace(command, instance_id=self.last_shown.instance_id)
            result = await self.commands.execute(self.actor, CHANNEL, command)
        except UserFacingError as error:
            return str(error)
        if isinstance(result, Posted):
            self.pending = self.last_shown = result.question
        return render.reply(result)

    async def loop(self, read_line: ReadLine, interactive: bool) -> None:
        if interactive:
            self.write("Studybot. Type /quiz ecs for a question, /quiz help for more, quit to leave.")
        while True:
            line = await read_line()
            if line is None or line.strip().casefold() in QUIT_WORDS:
                return
            try:
                self.write(await self.handle(line))
            except Exception:
                log.exception("terminal command failed: %r", line)
                self.write(render.reply(Notice("Something went wrong; nothing was saved. Try again.")))


async def stdin_lines() -> str | None:
    """The next line of standard input, or None at its end; read off the event loop."""
    line = await asyncio.to_thread(sys.stdin.readline)
    return line if line else None


async def prompted_lines() -> str | None:
    """In a terminal: a `> ` prompt with line editing and history (readline), None at Ctrl-D."""
    import readline  # noqa: F401  (importing it gives input() editing and history)

    try:
        return await asyncio.to_thread(input, "> ")
    except EOFError:
        return None
