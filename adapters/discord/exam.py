"""The mock exam on Discord: `/quiz-exam start|stop|history`, and the exam's buttons and menu.

The exam is an ephemeral follow-up only its taker sees; each click defers (an update of that
message) and then edits the message in place with the next screen. The custom_ids carry
everything a click needs, so an exam continues after a restart or a reconnect.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord.ui import Button, DynamicItem, Select, View

from adapters.discord import exam_render as render
from adapters.discord.buttons import _item_class, _menu_class
from adapters.discord.command_journal import CommandJournal, Followups, Options
from adapters.discord.exchange import Exchange
from adapters.discord.people import actor
from adapters.discord.turns import DiscordWork
from bot.app.commands import Commands
from bot.app.exam import ExamScreen, ExamService
from bot.exam_grammar import ShowExamHistory, StartExam, StopExam
from bot.exam_models import ExamHistory, ExamQuestion, ExamReport, ExamReview, ExamStopped


class ExamCommands:
    def __init__(
        self, commands: Commands, exams: ExamService, in_flight: DiscordWork, journal: CommandJournal
    ) -> None:
        self.commands = commands
        self.exams = exams
        self.in_flight = in_flight
        self.journal = journal
        for name in ("exam start", "exam stop", "exam history"):
            journal.register(name, self.carry_out, public=False)
        self.button: type[DynamicItem[Button[View]]] = _item_class(render.BUTTON, self._clicked, in_flight)
        self.menu: type[DynamicItem[Select[View]]] = _menu_class(render.MENU, self._picked, in_flight)

    @property
    def kinds(self) -> tuple[type[DynamicItem[Any]], ...]:
        return (self.button, self.menu)

    def view(self, screen: ExamScreen) -> View:
        """The screen's components, each a persistent item matched on its custom_id."""
        view = View(timeout=None)
        match screen:
            case ExamQuestion():
                items = render.question_components(screen)
            case ExamReview():
                items = render.review_components(screen)
            case _:
                items = []
        for item in items:
            assert isinstance(item, Button | Select)
            kind: Any = self.menu if isinstance(item, Select) else self.button
            match = kind.__discord_ui_compiled_template__.fullmatch(item.custom_id or "")
            assert match is not None, item.custom_id
            view.add_item(kind(item, match))
        return view

    def embed(self, screen: ExamScreen) -> discord.Embed:
        match screen:
            case ExamQuestion():
                return render.question_embed(screen)
            case ExamReview():
                return render.review_embed(screen)
        return render.report_embed(screen)

    # -- the slash commands ---------------------------------------------------------------

    async def start(
        self, interaction: discord.Interaction, topic: str | None, questions: int | None, minutes: int | None
    ) -> None:
        """Journaled before its defer (`command_journal`), as `stop` and `history` are: one body
        of work (`carry_out`) for the live reply and for the recovery after a crash."""
        named = " ".join((topic or "").split()) or None
        topic = None if named in ("all", "any") else named
        options = {"topic": topic, "questions": questions, "minutes": minutes}
        await self.journal.run(interaction, "exam start", options, self.in_flight)

    async def stop(self, interaction: discord.Interaction) -> None:
        await self.journal.run(interaction, "exam stop", {"action": "stop"}, self.in_flight)

    async def history(self, interaction: discord.Interaction) -> None:
        await self.journal.run(interaction, "exam history", {"action": "history"}, self.in_flight)

    async def carry_out(self, replies: Exchange | Followups, options: Options) -> None:
        reply = await replies.execute(self.commands, exam_command(options))
        match reply:
            case ExamQuestion() | ExamReview() | ExamReport():
                await replies.send(ephemeral=True, embed=self.embed(reply), view=self.view(reply))
            case ExamHistory():
                await replies.send(ephemeral=True, embed=render.history_embed(reply))
            case ExamStopped(text):
                await replies.send(text, ephemeral=True)

    # -- the clicks -----------------------------------------------------------------------

    async def _clicked(self, interaction: discord.Interaction, match: re.Match[str]) -> None:
        exam_id, verb, position = int(match["exam"]), match["verb"], int(match["position"])
        who = actor(interaction)

        async def step() -> ExamScreen:
            match verb:
                case "answer":
                    return await self.exams.choose(who, exam_id, position, [int(match["choice"] or 0)])
                case "next":
                    return await self.exams.go(who, exam_id, position + 1)
                case "back":
                    return await self.exams.go(who, exam_id, max(position - 1, 0))
                case "flag":
                    return await self.exams.flag(who, exam_id, position)
                case "go":
                    return await self.exams.go(who, exam_id, position)
                case "review":
                    return await self.exams.review(who, exam_id)
            return await self.exams.submit(who, exam_id)

        await self._update(interaction, step)

    async def _picked(
        self, interaction: discord.Interaction, match: re.Match[str], values: list[str]
    ) -> None:
        picks = [int(v) for v in values if v.isdigit()]
        exam_id, position = int(match["exam"]), int(match["position"])

        async def step() -> ExamScreen:
            return await self.exams.choose(actor(interaction), exam_id, position, picks)

        await self._update(interaction, step)

    async def _update(self, interaction: discord.Interaction, step: Any) -> None:
        exchange = Exchange(interaction)
        await interaction.response.defer()
        async with self.in_flight.track(), exchange.guard("exam click"):
            screen = await step()
            await interaction.edit_original_response(embed=self.embed(screen), view=self.view(screen))


def exam_command(options: Options) -> StartExam | StopExam | ShowExamHistory:
    """The exam command its journal row's options name."""
    match options.get("action"):
        case "stop":
            return StopExam()
        case "history":
            return ShowExamHistory()
    topic, questions, minutes = (options.get(name) for name in ("topic", "questions", "minutes"))
    return StartExam(
        topic if isinstance(topic, str) else None,
        questions if isinstance(questions, int) else None,
        minutes if isinstance(minutes, int) else None,
    )
