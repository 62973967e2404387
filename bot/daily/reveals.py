"""Reveals of the question of the day, as deliveries of the one delivery table (`bot.app.outbox`).

A reveal is scheduled (a row of kind `daily_reveal`, keyed by the channel and the instance) when
it falls due: at the subscription's reveal time, or just before the channel's next question. The
table claims, leases, retries and recovers it like any delivery. The question is marked revealed
only after the platform took the reveal (`claims.mark_revealed`, one row), so a crash before
that mark sends it again, and a crash after it does not: the handler finds it recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.app.daily_ports import ChannelSubscription
from bot.app.outbox import Due, JsonValue, Outcome, Scheduled
from bot.app.ports import Repositories, UnitOfWork
from bot.app.quiz import QuizService
from bot.clock import Clock
from bot.daily.models import DailyPoster, PermanentDeliveryError
from bot.models import Place

log = logging.getLogger(__name__)

REVEAL = "daily_reveal"


def reveal_key(target: Place, instance_id: int) -> str:
    return f"{target.platform}:{target.workspace}:{target.channel}:{instance_id}"


def schedule_reveals(
    repositories: Repositories,
    found: Sequence[ChannelSubscription],
    before: datetime,
    due_at: datetime,
) -> dict[int, list[str]]:
    """Schedule the reveal of every posted, unrevealed daily question before `before` in these
    channels, due at `due_at` (scheduling twice makes one row); their keys by channel id,
    oldest first."""
    by_channel = {f.channel_id: f.subscription.target for f in found}
    keys: dict[int, list[str]] = {}
    for channel_id, instance_ids in repositories.claims.unrevealed(list(by_channel), before).items():
        target = by_channel[channel_id]
        for instance_id in instance_ids:
            key = reveal_key(target, instance_id)
            payload: dict[str, JsonValue] = {
                "instance": instance_id,
                "workspace": target.workspace,
                "channel": target.channel,
            }
            repositories.outbox.schedule(Scheduled(REVEAL, key, target.platform, due_at, payload))
            keys.setdefault(channel_id, []).append(key)
    return keys


class RevealHandler:
    """Posts a reveal and records it; the platform's posters are the daily service's."""

    kind = REVEAL

    def __init__(
        self, uow: UnitOfWork, quiz: QuizService, clock: Clock, posters: Mapping[str, DailyPoster]
    ) -> None:
        self.uow = uow
        self.quiz = quiz
        self.clock = clock
        self.posters = posters

    async def deliver(self, due: Due) -> Outcome:
        payload = due.item.payload
        instance_id = int(str(payload["instance"]))
        target = Place(due.item.platform, str(payload["workspace"]), str(payload["channel"]))
        poster = self.posters.get(target.platform)
        if poster is None:
            log.error("no adapter for %s: reveal of daily question %s waits", target.platform, instance_id)
            return Outcome.RETRY
        posted = await self.uow.read(lambda r: r.posts.get(instance_id))
        if posted is None:
            return Outcome.DROPPED
        if posted.revealed_at is not None:
            return Outcome.SENT  # the platform took it before a crash; only this row was unwritten
        reveal = await self.quiz.reveal_stats(instance_id)
        try:
            await poster.post_reveal(target, reveal)
        except PermanentDeliveryError as error:
            log.error("reveal of daily question %s to %s failed for good: %s", instance_id, target, error)
            return Outcome.DROPPED
        now = self.clock.now()
        await self.uow.write(lambda r: r.claims.mark_revealed(instance_id, now))
        return Outcome.SENT
