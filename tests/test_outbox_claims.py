"""The rule of which delivery rows a claim may take (`bot.app.outbox_claims`), in Python; the
outbox tests run it in SQL on both databases and in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.app.outbox_claims import IN_PYTHON, ClaimFields, claimable

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DUE = ClaimFields("pending", "reminder", "slack", NOW, None, None)


def claims(row: ClaimFields) -> bool:
    return claimable(row, ["reminder", "reveal"], ["slack", "any"], NOW, IN_PYTHON)


@pytest.mark.parametrize(
    "row",
    [
        DUE,
        replace(DUE, due_at=NOW - SECOND),
        replace(DUE, retry_at=NOW),
        replace(DUE, lease_until=NOW - SECOND),
        replace(DUE, kind="reveal", platform="any"),
    ],
)
def test_a_due_row_unleased_and_past_its_backoff_is_claimed(row: ClaimFields) -> None:
    assert claims(row)


@pytest.mark.parametrize(
    "row",
    [
        replace(DUE, state="sent"),
        replace(DUE, state="missed"),
        replace(DUE, kind="digest"),
        replace(DUE, platform="discord"),
        replace(DUE, due_at=NOW + SECOND),
        replace(DUE, retry_at=NOW + SECOND),
        replace(DUE, lease_until=NOW),
        replace(DUE, lease_until=NOW + SECOND),
    ],
)
def test_a_row_delivered_elsewhere_early_backing_off_or_leased_is_not(row: ClaimFields) -> None:
    assert not claims(row)
