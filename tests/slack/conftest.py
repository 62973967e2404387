"""Fixtures of the Slack end-to-end tests: the stand-in Slack, and `studybot serve` using it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from slack_harness import SlackBot, running_bot
from slack_stand_in import StandInSlack


@pytest.fixture
def slack_clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SLACK_*, DISCORD_* or STUDYBOT_* variable of the machine leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "STUDYBOT_")):
            monkeypatch.delenv(name)


@pytest.fixture
async def slack_bot(
    slack_clean_env: None, slack_api: StandInSlack, tmp_path: Path
) -> AsyncIterator[SlackBot]:
    async with running_bot(slack_api, tmp_path) as bot:
        yield bot
