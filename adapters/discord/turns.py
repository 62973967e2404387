"""Discord's side of the work queue (`adapters.work_queue`): an interaction's work waits its turn
in its server's queue, bounded and served in turn with the other servers', drained on stop.

discord.py runs each interaction's handler in a task of its own, its interaction check first.
The check takes the interaction's place in its server's queue, or, if the queue is full (or the
process stopping), tells the person "busy" ("restarting") at once, as the interaction's only
response, seen by them alone. The handler then acknowledges the interaction (defers) and, inside
`Exchange.guard`, waits for its turn. The place is given up when the handler's task ends, at the
latest, whatever path it took. A waiting handler holds its interaction and task (discord.py's,
not ours to make smaller), so the bound keeps what waits small.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.inflight import InFlight
from adapters.work_queue import QUEUE_LIMIT, WORK_SLOTS, Platform, WorkQueue

_TICKET = "studybot.ticket"

log = logging.getLogger(__name__)


def _new_future() -> asyncio.Future[Any]:
    return asyncio.get_running_loop().create_future()


@dataclass(eq=False)
class Ticket:
    """One interaction's place in its server's queue."""

    queue: WorkQueue[Ticket]
    workspace: str
    task: asyncio.Task[Any]
    """The handler waiting for its turn: cancelled if stopping leaves it behind."""
    given: asyncio.Future[None] = field(default_factory=_new_future)
    """Done when its turn comes."""
    told: asyncio.Future[bool] = field(default_factory=_new_future)
    """Whether its user was told, should stopping cut its work short (set by `Exchange.guard`)."""

    def tell(self, told: bool) -> None:
        if not self.told.done():
            self.told.set_result(told)

    def give_up(self) -> None:
        """Its place in the queue, or its slot, goes to the next in turn."""
        self.queue.withdraw(self.workspace, self)
        self.queue.release(self.task)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold a work slot while the block runs, once the server's turn comes."""
        try:
            await self.given
            yield
        finally:
            self.give_up()


class DiscordWork(InFlight):
    """The Discord interactions in flight and the queue their work takes turns in."""

    def __init__(self, slots: int = WORK_SLOTS, limit: int = QUEUE_LIMIT) -> None:
        platform = Platform("discord", "Discord interaction", self._begin, self._told, log, self._abandon)
        self.queue: WorkQueue[Ticket] = WorkQueue(platform, slots, limit)
        super().__init__("Discord")

    @property
    def closed(self) -> bool:
        return self.queue.closed

    @closed.setter
    def closed(self, closed: bool) -> None:
        self.queue.closed = closed

    def take_place(self, interaction: discord.Interaction) -> str | None:
        """Queue the interaction (its handler, the current task), or say what to answer at once
        instead ("busy", "restarting"; counted)."""
        task = asyncio.current_task()
        assert task is not None, "interactions are handled in tasks"
        ticket = Ticket(self.queue, str(interaction.guild_id), task)
        refusal = self.queue.offer(ticket.workspace, ticket)
        if refusal is None:
            interaction.extras[_TICKET] = ticket
            task.add_done_callback(lambda _task: ticket.give_up())
        return refusal

    def _begin(self, ticket: Ticket) -> asyncio.Task[Any]:
        if not ticket.given.done():
            ticket.given.set_result(None)
        return ticket.task

    def _abandon(self, ticket: Ticket) -> None:
        ticket.task.cancel()

    async def _told(self, ticket: Ticket) -> bool:
        """Whether `Exchange.guard` told the user (False if the handler ended without it)."""
        # asyncio.wait does not cancel what it waits for if this wait is cut short.
        await asyncio.wait({ticket.told, ticket.task}, return_when=asyncio.FIRST_COMPLETED)
        return ticket.told.done() and ticket.told.result()


def ticket_to_wait_with(interaction: discord.Interaction) -> Ticket | None:
    """The interaction's place in its server's queue, to wait for its turn with, once. None when
    there is none (the interaction was not checked, e.g. a modal's submission) or it is not
    acknowledged yet: then its place is given up and its work runs at once."""
    ticket = interaction.extras.pop(_TICKET, None)
    if not isinstance(ticket, Ticket):
        return None
    if not interaction.response.is_done():
        ticket.give_up()
        return None
    return ticket
