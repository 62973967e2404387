"""A stop signal that arrives while `studybot serve` is still starting (before its event loop
handles signals) is remembered, and serve then stops in order, logged, instead of the process
dying part-way through its start."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_harness import settings_for
from slack_stand_in import StandInSlack

from adapters import early_signals
from adapters.serve import serve
from tests.ports import free_port


@pytest.fixture
def handlers_restored() -> Iterator[None]:
    before = {signum: signal.getsignal(signum) for signum in early_signals.STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def test_a_stop_signal_while_starting_is_noted_not_fatal(
    handlers_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(early_signals, "_received", [])
    early_signals.remember()
    assert not early_signals.received()

    signal.raise_signal(signal.SIGTERM)

    assert early_signals.received()


async def test_serve_stops_in_order_when_a_stop_signal_came_while_starting(
    slack_api: StandInSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(early_signals, "_received", [signal.SIGTERM])
    settings = settings_for(slack_api, tmp_path / "studybot.db", free_port())

    async with asyncio.timeout(30):
        await serve(settings, host="127.0.0.1")  # returns once stopped: nothing else stops it

    messages = [record.getMessage() for record in caplog.records]
    assert "a stop signal arrived while starting" in messages
    assert "stopping" in messages
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
