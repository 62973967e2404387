"""Requests journaled before their ack (`bot.app.journal`): claimed by the process that took them
until they end, carried out by another process once a dead one's lease runs out, once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app.journal import RequestJournal
from bot.app.outbox import Due, OutboxRunner, Outcome
from bot.app.ports import UnitOfWork
from tests.conftest import FrozenClock

KIND = "slack_command"
LEASE = timedelta(seconds=60)
PAYLOAD = {"workspace": "T1", "text": "ecs"}


class Carrier:
    """The delivery handler of journaled requests: what it was handed."""

    kind = KIND

    def __init__(self) -> None:
        self.seen: list[Due] = []

    async def deliver(self, due: Due) -> Outcome:
        self.seen.append(due)
        return Outcome.SENT


@pytest.fixture
async def journal(uow: UnitOfWork, clock: FrozenClock) -> AsyncIterator[RequestJournal]:
    journal = RequestJournal(OutboxRunner(uow, clock, platforms={"slack"}), LEASE)
    yield journal
    journal.close()


def another_process(uow: UnitOfWork, clock: FrozenClock) -> tuple[OutboxRunner, Carrier]:
    carrier = Carrier()
    return OutboxRunner(uow, clock, [carrier], platforms={"slack"}), carrier


async def test_a_request_under_way_is_left_to_its_process_and_not_carried_out_again_once_ended(
    uow: UnitOfWork, clock: FrozenClock, journal: RequestJournal
) -> None:
    assert await journal.begin(KIND, "trigger-1", "slack", PAYLOAD) is not None
    other, carrier = another_process(uow, clock)
    await other.run_due()
    await journal.end("trigger-1")
    clock.advance(seconds=LEASE.total_seconds() + 1)
    await other.run_due()
    assert carrier.seen == []


async def test_a_request_whose_process_died_is_carried_out_once_by_another_after_the_lease(
    uow: UnitOfWork, clock: FrozenClock, journal: RequestJournal
) -> None:
    await journal.begin(KIND, "trigger-1", "slack", PAYLOAD)
    other, carrier = another_process(uow, clock)
    clock.advance(seconds=LEASE.total_seconds() - 1)
    await other.run_due()
    assert carrier.seen == []
    clock.advance(seconds=2)
    await other.run_due()
    await other.run_due()
    [due] = carrier.seen
    assert (due.item.key, due.item.payload) == ("trigger-1", PAYLOAD)


async def test_a_request_delivered_twice_is_journaled_once(
    uow: UnitOfWork, clock: FrozenClock, journal: RequestJournal
) -> None:
    assert await journal.begin(KIND, "trigger-1", "slack", PAYLOAD) is not None
    assert await journal.begin(KIND, "trigger-1", "slack", PAYLOAD) is None
    elsewhere = RequestJournal(OutboxRunner(uow, clock, platforms={"slack"}), LEASE)
    assert await elsewhere.begin(KIND, "trigger-1", "slack", PAYLOAD) is None
    await journal.end("trigger-1")
    other, carrier = another_process(uow, clock)
    clock.advance(seconds=LEASE.total_seconds() + 1)
    await other.run_due()
    assert carrier.seen == []


async def test_requests_abandoned_when_stopping_are_not_carried_out_by_anyone(
    uow: UnitOfWork, clock: FrozenClock, journal: RequestJournal
) -> None:
    await journal.begin(KIND, "trigger-1", "slack", PAYLOAD)
    await journal.begin(KIND, "trigger-2", "slack", PAYLOAD)
    assert await journal.abandon_open() == 2
    other, carrier = another_process(uow, clock)
    clock.advance(seconds=LEASE.total_seconds() + 1)
    await other.run_due()
    assert carrier.seen == []
