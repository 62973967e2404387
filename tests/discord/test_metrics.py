"""Every interaction is counted once in studybot_requests_total, by kind and outcome."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from adapters.discord.component import DiscordComponent
from bot.bootstrap import Core
from bot.daily.models import DailyStatusReport
from bot.models import Place
from tests.discord.conftest import ECS_CHOICES, RIGHT
from tests.discord.payloads import ADMIN, ALICE, BOB, choice_id, click, option, slash
from tests.discord.stand_in import DiscordStandIn
from tests.discord.test_answers import ask
from tests.discord.test_daily import daily, reply

KEYS = [
    (kind, outcome)
    for kind in ("command", "action", "autocomplete")
    for outcome in ("ok", "refused", "error")
]


def counts() -> dict[tuple[str, str], float]:
    labels = [{"platform": "discord", "kind": k, "outcome": o} for k, o in KEYS]
    return {
        key: REGISTRY.get_sample_value("studybot_requests_total", label) or 0.0
        for key, label in zip(KEYS, labels, strict=True)
    }


async def test_each_interaction_is_counted_once_by_kind_and_outcome(
    stand_in: DiscordStandIn, discord_bot: DiscordComponent, monkeypatch: pytest.MonkeyPatch, quiz_core: Core
) -> None:
    before = counts()
    await reply(stand_in, daily(ADMIN, "status"))
    await stand_in.interact(daily(ALICE, "status"))
    await reply(stand_in, daily(ADMIN, "on", option("time", "25:00")))
    await stand_in.interact({**slash(ALICE, "quiz", option("topic", "ec", focused=True)), "type": 4})
    message = await ask(stand_in, "ecs")
    await stand_in.interact(click(BOB, message, choice_id(message, ECS_CHOICES[RIGHT])), followups=1)

    async def broken(_place: Place) -> DailyStatusReport:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(quiz_core.daily, "status", broken)
    await stand_in.interact(slash(ALICE, "quiz-daily"), followups=1)
    await discord_bot.bot.in_flight.drain(5)

    after = counts()
    added = {key: after[key] - before[key] for key in KEYS if after[key] != before[key]}
    assert added == {
        ("command", "ok"): 2,
        ("command", "refused"): 2,
        ("command", "error"): 1,
        ("autocomplete", "ok"): 1,
        ("action", "ok"): 1,
    }
