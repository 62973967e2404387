"""Discord's side of the work queue (`adapters.work_queue`): an interaction's work waits its turn
in its server's queue, bounded and served in turn with the other servers', drained on stop.

discord.py runs each interaction's handler in a task of its own; the handler acknowledges the
interaction (defers) and then, inside `Exchange.guard`, waits here for a work slot. A waiting
handler holds its interaction and task (Discord's, not ours to make smaller), so the bound keeps
what waits small. Before the handler starts, its interaction check asks whether the queue would
take it: if not, the person is told "busy" (or "restarting") at once, as the interaction's only
response, seen by them alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.inflight import InFlight
from adapters.work_queue import QUEUE_LIMIT, WORK_SLOTS, Platform, WorkQueue
from bot.errors import UserFacingError

_QUEUE = "studybot.work"


def _new_future() -> asyncio.Future[Any]:
    return asyncio.get_running_loop().create_future()


@dataclass(eq=False)
class Ticket:
    """One interaction's place in its server's queue."""

    workspace: str
    task: asyncio.Task[Any]
    """The handler waiting for its turn: cancelled if stopping leaves it behind."""
    turn: asyncio.Future[None] = field(default_factory=_new_future)
    told: asyncio.Future[bool] = field(default_factory=_new_future)
    """Whether its user was told, should stopping cut its work short (set by `Exchange.guard`)."""

    def tell(self, told: bool) -> None:
        if not self.told.done():
            self.told.set_result(told)


class DiscordWork(InFlight):
    """The Discord interactions in flight and the queue their work takes turns in."""

    def __init__(self, slots: int = WORK_SLOTS, limit: int = QUEUE_LIMIT) -> None:
        platform = Platform("discord", "Discord interaction", self._begin, self._told, self._abandon)
        self.queue: WorkQueue[Ticket] = WorkQueue(platform, slots, limit)
        super().__init__("Discord")

    @property
    def closed(self) -> bool:
        return self.queue.closed

    @closed.setter
    def closed(self, closed: bool) -> None:
        self.queue.closed = closed

    def refusal(self, interaction: discord.Interaction) -> str | None:
        """What to answer at once instead of starting the interaction's work (counted), or None:
        the interaction is then marked to wait for its turn here."""
        refusal = self.queue.refusal(str(interaction.guild_id))
        if refusal is None:
            interaction.extras[_QUEUE] = self
        return refusal

    def ticket(self, interaction: discord.Interaction) -> Ticket:
        task = asyncio.current_task()
        assert task is not None, "interactions are handled in tasks"
        return Ticket(str(interaction.guild_id), task)

    @asynccontextmanager
    async def turn(self, ticket: Ticket) -> AsyncIterator[None]:
        """Hold a work slot while the block runs, once the server's turn comes. Refused ("busy",
        "restarting") as a UserFacingError if the queue filled since the interaction check."""
        refusal = self.queue.offer(ticket.workspace, ticket)
        if refusal is not None:
            raise UserFacingError(refusal)
        try:
            await ticket.turn
            yield
        finally:
            self.queue.withdraw(ticket.workspace, ticket)
            self.queue.release(ticket.task)

    def _begin(self, ticket: Ticket) -> asyncio.Task[Any]:
        if not ticket.turn.done():
            ticket.turn.set_result(None)
        return ticket.task

    def _abandon(self, ticket: Ticket) -> None:
        ticket.task.cancel()

    async def _told(self, ticket: Ticket) -> bool:
        await asyncio.wait({ticket.told})  # not cancelling it if this wait is cut short
        return ticket.told.result()


def queue_of(interaction: discord.Interaction) -> DiscordWork | None:
    """The queue the interaction's work waits its turn in (None: it was not checked, e.g. a
    modal's submission, and runs at once)."""
    work = interaction.extras.get(_QUEUE)
    return work if isinstance(work, DiscordWork) else None
