"""The terminal adapter: `studybot chat`, the quiz played in a terminal or driven by a script."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from adapters import terminal_render as render
from adapters.terminal_exam import exam_step
from bot.app.commands import Commands, Notice
from bot.app.quiz import QuizService
from bot.choices import LETTERS, parse_letters
from bot.daily.models import Reveal
from bot.errors import UserFacingError
from bot.exam_models import ExamQuestion, ExamReview
from bot.grammar import MAX_COMMAND_LENGTH, JoinTeam, ShowStats, parse
from bot.learning_models import PrivateQuestion
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
        self.grading: QuestionView | None = None
        """A flashcard whose answer was shown, waiting for the learner's own grade."""
        self.exam: ExamQuestion | ExamReview | None = None
        """The exam screen on show: lines that are not commands act on it."""
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
        """A letter, a number or the text of a choice (`true`, `false`), in any case."""
        token = text.strip().rstrip(").").casefold()
        if len(token) == 1 and token in LETTERS.casefold()[: len(view.choices)]:
            return LETTERS.casefold().index(token)
        if token.isdigit() and 1 <= int(token) <= len(view.choices):
            return int(token) - 1
        folded = [" ".join(c.casefold().split()) for c in view.choices]
        typed = " ".join(text.casefold().split())
        return folded.index(typed) if typed in folded else None

    def _skipped(self, view: QuestionView) -> str:
        """The answer of a question left unanswered for a new one, so that it is not lost."""
        bank = self.quiz.library.last_known(PLATFORM, WORKSPACE)
        question = bank.question(view.question_id)
        if question is None:
            return "The previous question was left unanswered."
        if view.kind is Kind.FLASHCARD:
            return f"Skipped. The answer to the previous question was: {question.answer}."
        # Lettered as that question showed its choices (shuffled), right ones in that order.
        right = [
            f"{LETTERS[i]}) {choice}" for i, choice in enumerate(view.choices) if choice in question.answers
        ]
        if len(right) > 1:
            return f"Skipped. The answers to the previous question were: {'; '.join(right)}."
        return f"Skipped. The answer to the previous question was: {right[0]}."

    async def _grade(self, text: str, view: QuestionView) -> str:
        grade = render.GRADE_WORDS.get(text.strip().casefold())
        if grade is None:
            return render.GRADE_PROMPT
        result = await self.quiz.answer_self_grade(self.actor, view.instance_id, grade)
        self.grading = self.pending = None
        return render.outcome(result)

    async def _answer(self, text: str, view: QuestionView) -> str:
        if view.kind is Kind.FLASHCARD and text.strip().casefold() == "show":
            card = await self.quiz.show_flashcard(self.actor, view.instance_id)
            if card.already_answered is not None:
                self.pending = None
                return render.outcome(card.already_answered)
            self.grading = view
            return render.flashcard(card)
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
                letters = f"a letter A-{last} or a number 1-{len(view.choices)}"
                if view.kind is Kind.TRUE_FALSE:
                    return f"Answer true or false ({letters}), or type a command."
                return f"Answer with {letters}, or type a command."
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
            if self.exam is not None and self.commands.exam is not None and not text.startswith("/"):
                step = await exam_step(self.commands.exam, self.actor, self.exam, text)
                if isinstance(step, str):
                    return step
                self.exam = step if isinstance(step, ExamQuestion | ExamReview) else None
                return render.reply(step)
            if self.grading is not None and not text.startswith("/"):
                return await self._grade(text, self.grading)
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
        self.exam = result if isinstance(result, ExamQuestion | ExamReview) else None
        if not isinstance(result, Posted | PrivateQuestion):
            return render.reply(result)
        skipped, self.pending, self.grading = self.pending, result.question, None
        self.last_shown = result.question
        lines = [self._skipped(skipped)] if skipped is not None else []
        if isinstance(result, Posted) and result.repeated:
            lines.append(render.pool_used_up(result.question, text.casefold() in ("/quiz", "quiz")))
        return "\n".join([*lines, render.reply(result)])

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


def _settle(line: asyncio.Future[str | None], text: str | None) -> None:
    if not line.done():
        line.set_result(text)


async def prompted_lines() -> str | None:
    """In a terminal: a `> ` prompt with line editing and history (readline), None at Ctrl-D.

    `input()` waits in a daemon thread of its own, not in the event loop's executor: Ctrl-C then
    ends the chat at once, where leaving would otherwise wait for a line nobody will type."""
    import readline  # noqa: F401  (importing it gives input() editing and history)

    loop = asyncio.get_running_loop()
    line: asyncio.Future[str | None] = loop.create_future()

    def read() -> None:
        try:
            text: str | None = input("> ")
        except EOFError:
            text = None
        try:
            loop.call_soon_threadsafe(_settle, line, text)
        except RuntimeError:  # the chat ended (Ctrl-C) and its loop closed while this waited
            pass

    threading.Thread(target=read, name="terminal-input", daemon=True).start()
    return await line


@contextmanager
def terminal_kept() -> Iterator[None]:
    """Put the terminal's settings back when the chat ends: readline changes them while it
    waits for a line, and a Ctrl-C leaves it waiting."""
    import termios

    try:
        saved = termios.tcgetattr(sys.stdin.fileno())
    except (termios.error, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)
