"""An acknowledgement is a promise (issue 13, point 1): an answer is recorded before its
interaction is acknowledged, unless the database takes longer than the ack budget; then the
interaction is deferred first and the person told the outcome either way."""

from __future__ import annotations

import asyncio

import pytest

from bot.app.quiz import QuizService
from bot.bootstrap import Core
from bot.db.faults import MESSAGES, DatabaseFault, Fault
from bot.models import AnswerOutcome
from tests.discord.conftest import ECS_CHOICES, RIGHT, StallableDatabase, running, stand_in_settings
from tests.discord.payloads import ALICE, BOB, choice_id, click, custom_ids
from tests.discord.stand_in import EPHEMERAL, DiscordStandIn
from tests.discord.test_answers import ask

DISCORD_DEADLINE = 3.0
LONG_BUDGET = 2.8
SHORT_BUDGET = 0.05


async def test_an_answer_is_recorded_before_its_click_is_acknowledged(
    stand_in: DiscordStandIn, quiz_core: Core, quiz_database: StallableDatabase
) -> None:
    settings = stand_in_settings(stand_in, studybot_ack_budget_seconds=LONG_BUDGET)
    async with running(stand_in, settings, quiz_core):
        message = await ask(stand_in, "ecs")
        await stand_in.interact(click(ALICE, message, choice_id(message, ECS_CHOICES[RIGHT])), followups=1)
        answer = click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT]))
        quiz_database.open.clear()
        quiz_database.stalled.clear()
        await stand_in.dispatch("INTERACTION_CREATE", answer)
        await asyncio.wait_for(quiz_database.stalled.wait(), DISCORD_DEADLINE)
        assert stand_in.callbacks(answer) == []

        released = stand_in.now()
        quiz_database.open.set()
        # The click was dispatched once, above: wait for its acknowledgement and its feedback.
        (callback,) = await stand_in.wait_for(lambda: stand_in.callbacks(answer), timeout=DISCORD_DEADLINE)
        (feedback,) = await stand_in.wait_for(lambda: stand_in.followups(answer), timeout=DISCORD_DEADLINE)
        assert released < callback.at
        assert callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}
        assert feedback.body["embeds"][0]["title"].startswith("Correct! +")
        instance = int(custom_ids(message)[0].split(":")[1])
        assert (await quiz_core.quiz.question_view(instance)).answer_count == 2


async def test_a_click_deferred_before_a_failed_recording_is_told_nothing_was_saved(
    stand_in: DiscordStandIn, quiz_core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = asyncio.Event()

    async def busy(*_args: object) -> AnswerOutcome:
        await opened.wait()
        raise DatabaseFault(Fault.BUSY)

    settings = stand_in_settings(stand_in, studybot_ack_budget_seconds=SHORT_BUDGET)
    async with running(stand_in, settings, quiz_core):
        message = await ask(stand_in, "ecs")
        monkeypatch.setattr(QuizService, "answer_choice", busy)
        answer = click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT]))
        await stand_in.dispatch("INTERACTION_CREATE", answer)
        (callback,) = await stand_in.wait_for(lambda: stand_in.callbacks(answer), timeout=DISCORD_DEADLINE)
        assert callback.body == {"type": 5, "data": {"flags": EPHEMERAL}}
        assert stand_in.followups(answer) == []

        opened.set()
        (told,) = await stand_in.wait_for(lambda: stand_in.followups(answer))
        assert told.body["content"] == MESSAGES[Fault.BUSY]
        assert told.body["flags"] & EPHEMERAL
