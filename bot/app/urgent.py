"""Which write transactions an acknowledgement waits for.

Since an acknowledgement is a promise (issue 13, point 1), a Slack click's HTTP 200 waits for
the answers' group commit and a `/quiz` command's for its journal row. On SQLite the process
takes its write transactions one at a time, so those would otherwise queue behind the work
already acknowledged (a question posted, a delivery marked), and the ack's latency would be the
whole backlog's. A task that writes for an acknowledgement sets `ACKNOWLEDGING` in its own
context (`acknowledging()`); the database gives its transactions the next turn (`bot.db.turns`).
After two such turns in a row, a waiting write of other work goes, so it is never starved.
"""

from __future__ import annotations

from contextvars import ContextVar

ACKNOWLEDGING: ContextVar[bool] = ContextVar("acknowledging", default=False)


def acknowledging() -> None:
    """Mark the current task's writes as ones an acknowledgement waits for (the task's own
    context: tasks it starts inherit it, the task that started it does not)."""
    ACKNOWLEDGING.set(True)
