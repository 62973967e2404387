"""The bound on answers being recorded at once, shared fairly between workspaces.

An answer click is recorded before its ack (`answer_clicks`), so the answers being recorded are
bounded: a database or a CPU behind its load makes the next person told "busy" at once instead of
holding their request (and its connection) for the whole ack budget, or gathering an unbounded
backlog of acknowledged clicks. One workspace may hold at most three quarters of the bound, like
its share of the work queue (`adapters.work_queue.three_quarters`): before that share, one
workspace's click flood filled the whole bound and another workspace's clicks were told "busy".
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from adapters.slack.background import PLATFORM, count
from adapters.work_queue import three_quarters
from bot.metrics import BUSY_REFUSALS

# One workspace's answers being recorded at once, at most (as many as the connections `studybot
# serve` holds by default, and the work queue's default bound): the group commit
# (`bot.app.answering`) records a burst of that many in a few batches, well within the ack budget,
# so a burst as wide as the connection cap is recorded and acknowledged whole; more waiting means
# the database or the CPU is behind, and the next click is told "busy" at once instead of waiting
# for the budget. The bound over all workspaces is a third more, room for the others' clicks.
RECORDING_LIMIT = 1000


class Recordings:
    """Answers being recorded, before their click's ack or after it (the database slower than
    the ack budget): at most `limit` in all, and three quarters of it for one workspace."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.workspace_limit = three_quarters(limit)
        self.count = 0
        self.by_workspace: Counter[str] = Counter()

    @classmethod
    def with_share(cls, workspace_limit: int) -> Recordings:
        """The bound of which one workspace may take `workspace_limit`: a third more."""
        return cls(workspace_limit + workspace_limit // 3)

    def started(self, recording: asyncio.Task[Any], workspace: str) -> None:
        self.count += 1
        self.by_workspace[workspace] += 1
        recording.add_done_callback(lambda _recording: self._ended(workspace))

    def _ended(self, workspace: str) -> None:
        self.count -= 1
        self.by_workspace[workspace] -= 1
        if not self.by_workspace[workspace]:
            del self.by_workspace[workspace]

    def full(self, workspace: str) -> bool:
        """Whether a click of `workspace` is refused "busy" (counted when it is)."""
        if self.count < self.limit and self.by_workspace[workspace] < self.workspace_limit:
            return False
        BUSY_REFUSALS.labels(platform=PLATFORM, reason="busy").inc()
        count("action", "refused")
        return True
