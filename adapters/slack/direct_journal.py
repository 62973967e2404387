"""Commands written in a direct message, journaled before their ack (issue 13, point 1: an
acknowledgement is a promise), as `/quiz` commands are (`command_journal`).

The message's event is written as a row of the delivery table keyed by its `event_id` (Slack's
retry of the same event finds it there and is acknowledged without a second answer), then
acknowledged, if the database answers within the ack budget. The row is marked done when the
answer was sent. A message has no response_url, so stopping cannot tell its person that the
answer is not coming: its row is left open (this journal is not the commands', whose open rows
stopping marks abandoned once their people were told), and once its lease runs out the delivery
table's `DirectRecovery` answers it in whichever Slack process claims it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from adapters.inflight import settled_within
from adapters.slack.background import Outcome
from adapters.slack.command_journal import TokenOf
from bot.app import outbox
from bot.app.journal import RequestJournal

KIND = "slack_direct"
PLATFORM = "slack"
# A message can be answered at any time; an answer later than this would puzzle more than help.
GRACE = timedelta(minutes=25)
FIELDS = ("workspace", "user", "channel", "text")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DirectJournal:
    journal: RequestJournal
    budget: float
    token_of: TokenOf


async def journaled(journal: RequestJournal, budget: float, key: str, fields: dict[str, Any]) -> bool:
    """Write the message's row (waiting at most `budget`); False if it was journaled before."""
    row = journal.begin(KIND, key, PLATFORM, {name: str(fields[name]) for name in FIELDS})
    return not (await settled_within(row, budget) and not row.exception() and row.result() is None)


class DirectRecovery:
    """The delivery table's handler of direct messages whose process died before answering."""

    kind = KIND

    def __init__(
        self, answer: Callable[[dict[str, Any], str | None], Awaitable[Outcome]], token_of: TokenOf
    ) -> None:
        self.answer = answer
        self.token_of = token_of

    async def deliver(self, due: outbox.Due) -> outbox.Outcome:
        fields = {name: str(due.item.payload[name]) for name in FIELDS}
        log.warning(
            "answering a direct message of %s acknowledged by a process that stopped before it "
            "answered (journal row %s)",
            fields["workspace"],
            due.id,
        )
        try:
            await self.answer(fields, await self.token_of(fields["workspace"]))
        except Exception:
            log.exception("a recovered Slack direct message failed (journal row %s)", due.id)
        return outbox.Outcome.SENT
