"""Button clicks and menu picks: answers, a flashcard's reveal and its self-grade. Replies are
ephemeral.

An answer is recorded before its interaction is acknowledged (issue 13, point 1: an
acknowledgement is a promise), as long as the database answers within the ack budget
(STUDYBOT_ACK_BUDGET_SECONDS, inside Discord's 3 s): a process killed before leaves the
interaction unanswered, and Discord tells the person it failed. A slower database gets the
interaction deferred first; the person then sees the outcome either way (their feedback, or that
nothing was saved).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import discord

from adapters.discord import render
from adapters.discord.buttons import Buttons, make_buttons
from adapters.discord.exchange import NO_MENTIONS, Exchange
from adapters.discord.people import actor
from adapters.discord.reports import ReportModal
from adapters.discord.turns import DiscordWork
from adapters.inflight import settled_within
from bot.app.feedback import FeedbackService
from bot.app.quiz import QuizService
from bot.metrics import ACKED_BEFORE_RECORDED
from bot.models import AnswerOutcome
from bot.recall import Grade
from bot.reports import Reason

log = logging.getLogger(__name__)


class QuizClicks:
    def __init__(
        self, service: QuizService, in_flight: DiscordWork, feedback: FeedbackService, ack_budget: float = 2.0
    ) -> None:
        self.service = service
        self.in_flight = in_flight
        self.feedback = feedback
        self.ack_budget = ack_budget
        self.buttons: Buttons = make_buttons(self)

    async def answer(self, interaction: discord.Interaction, instance_id: int, choice: int) -> None:
        exchange = Exchange(interaction)
        async with self.in_flight.track(), exchange.guard("answer"):
            recording = self.service.answer_choice(actor(interaction), instance_id, choice)
            result = await self._recorded_then_deferred(exchange, recording)
            assert interaction.message is not None
            await self._answered(interaction, exchange, result, interaction.message.id)

    async def pick(self, interaction: discord.Interaction, instance_id: int, choices: list[int]) -> None:
        """A multiple-response answer: the options picked in the menu."""
        exchange = Exchange(interaction)
        async with self.in_flight.track(), exchange.guard("answer"):
            recording = self.service.answer_choices(actor(interaction), instance_id, choices)
            result = await self._recorded_then_deferred(exchange, recording)
            assert interaction.message is not None
            await self._answered(interaction, exchange, result, interaction.message.id)

    async def _recorded_then_deferred(
        self, exchange: Exchange, recording: Coroutine[Any, Any, AnswerOutcome]
    ) -> AnswerOutcome:
        """Record the answer, then acknowledge the interaction (deferred, ephemeral); past the
        ack budget, acknowledge first and go on recording. A failure to record reaches the
        person through `guard`, as the interaction's first response or a followup."""
        task = asyncio.ensure_future(recording)
        if not await settled_within(task, self.ack_budget):
            ACKED_BEFORE_RECORDED.labels(platform="discord").inc()
            await exchange.defer(ephemeral=True)
            return await task
        result = task.result()
        await exchange.defer(ephemeral=True)
        return result

    async def reveal(self, interaction: discord.Interaction, instance_id: int) -> None:
        exchange = Exchange(interaction)
        await exchange.defer(ephemeral=True)
        async with self.in_flight.track(), exchange.guard("flashcard reveal"):
            card = await self.service.show_flashcard(actor(interaction), instance_id)
            if card.already_answered is not None:
                menu = self.buttons.report_menu(instance_id)
                await exchange.send(ephemeral=True, embed=render.outcome(card.already_answered), view=menu)
                return
            assert interaction.message is not None
            grading = self.buttons.self_grade(instance_id)
            await exchange.send(ephemeral=True, embed=render.flashcard(card), view=grading)

    async def grade(self, interaction: discord.Interaction, instance_id: int, grade: Grade) -> None:
        """A self-grade, given on an ephemeral message: the question's own message, whose count
        it changes, is the one stored with the instance."""
        exchange = Exchange(interaction)
        async with self.in_flight.track(), exchange.guard("flashcard grade"):
            recording = self.service.answer_self_grade(actor(interaction), instance_id, grade)
            result = await self._recorded_then_deferred(exchange, recording)
            shown_at = await self.service.message_ref(instance_id)
            await self._answered(interaction, exchange, result, int(shown_at) if shown_at else None)

    async def _answered(
        self,
        interaction: discord.Interaction,
        exchange: Exchange,
        result: AnswerOutcome,
        message_id: int | None,
    ) -> None:
        """Tell the user how they did, then show the new answer count on the question message."""
        menu = self.buttons.report_menu(result.instance_id)
        await exchange.send(ephemeral=True, embed=render.outcome(result), view=menu)
        if result.repeat or interaction.channel_id is None or message_id is None or result.mode.private:
            return
        view = await self.service.question_view(result.instance_id)
        channel = interaction.client.get_partial_messageable(
            interaction.channel_id, guild_id=interaction.guild_id
        )
        try:
            await channel.get_partial_message(message_id).edit(
                embed=render.question(view), allowed_mentions=NO_MENTIONS
            )
        except discord.HTTPException as error:
            log.warning("could not show the answer count on message %s: %s", message_id, error)

    async def report(self, interaction: discord.Interaction, instance_id: int, reason: str) -> None:
        """A reason picked in the report menu: the modal for details opens (no deferring: a
        modal must be the interaction's first response)."""
        exchange = Exchange(interaction)
        async with exchange.guard("report menu"):
            if reason not in set(Reason):
                await exchange.refuse("Pick one of the reasons in the menu.")
                return
            modal = ReportModal(instance_id, Reason(reason), interaction.id, self._send_report)
            await interaction.response.send_modal(modal)

    async def _send_report(
        self, interaction: discord.Interaction, instance_id: int, reason: Reason, text: str
    ) -> None:
        exchange = Exchange(interaction)
        await exchange.defer(ephemeral=True)
        async with self.in_flight.track(), exchange.guard("report"):
            received = await self.feedback.report(actor(interaction), instance_id, reason, text)
            await exchange.send(received.text, ephemeral=True)
