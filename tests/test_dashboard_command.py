"""`/quiz dashboard` in the terminal: a link for its one workspace (issue 19, point 2); the
Slack and Discord halves are in tests/slack and tests/discord."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from adapters.cli import main
from adapters.serve import serve
from adapters.terminal import TerminalChat
from bot.bank import QuestionBank
from bot.bootstrap import Core, compose
from bot.clock import SystemClock
from bot.dashboard_links import DashboardLinks, LinkGrant, links_from
from bot.db.database import Database
from bot.db.migrate import upgrade
from bot.settings import load_settings
from tests.conftest import FrozenClock
from tests.ports import free_port

SECRET = "command-test-secret-0123456789"


def grant_of(url: str, links: DashboardLinks, clock: FrozenClock) -> LinkGrant | None:
    return links.grant(parse_qs(urlsplit(url).query)["t"][0], clock.now())


async def test_the_terminal_prints_a_link_for_its_one_workspace(core: Core, clock: FrozenClock) -> None:
    chat = TerminalChat(core.quiz, core.commands, "alice", print)
    assert "not switched on" in await chat.handle("/quiz dashboard")
    links = DashboardLinks(SECRET, "http://localhost:3000")
    core.commands.dashboard_links = links
    shown = await chat.handle("/quiz dashboard")
    assert shown.startswith("Team dashboard (works for 24 hours): http://localhost:3000/dashboard?t=")
    assert grant_of(shown.split(": ", 1)[1], links, clock) == LinkGrant("terminal", "alice", True)


def test_operators_mint_a_link_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STUDYBOT_PUBLIC_URL", "https://study.example.com")
    monkeypatch.delenv("STUDYBOT_SECRET_KEY", raising=False)
    args = ["dashboard", "link", "--workspace", "slack:T0123", "--user", "U0456", "--admin"]
    assert main(args) == 2
    assert "STUDYBOT_SECRET_KEY must be set" in capsys.readouterr().err
    monkeypatch.setenv("STUDYBOT_SECRET_KEY", SECRET)
    assert main(args) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("https://study.example.com/dashboard?t=")
    now = FrozenClock(datetime.now(UTC))
    assert grant_of(url, DashboardLinks(SECRET, ""), now) == LinkGrant("slack:T0123", "U0456", True)
    assert main(["dashboard", "link", "--workspace", "slack", "--user", "U1"]) == 2
    assert "is not slack:ID, discord:ID or terminal" in capsys.readouterr().err


@pytest.mark.timeout(60)
async def test_the_dashboard_runs_without_any_chat_platform(
    tmp_path: Path, bank: QuestionBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'studybot.db'}"
    database = Database(url)
    await upgrade(database)
    terminal = compose(database, bank, SystemClock())
    await TerminalChat(terminal.quiz, terminal.commands, "alice", print).handle("/quiz team join Red")
    await database.dispose()
    port = free_port()
    settings = load_settings(
        studybot_database_url=url,
        studybot_http_port=port,
        studybot_dashboard=True,
        studybot_secret_key=SECRET,
        studybot_public_url=f"http://127.0.0.1:{port}",
    )
    stop = asyncio.Event()
    started: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(serve(settings, stop, "127.0.0.1", None, started.set_result))
    try:
        await asyncio.wait({started, server}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        assert started.done(), server
        link = links_from(settings).url(LinkGrant("terminal", "alice", False), datetime.now(UTC))
        async with aiohttp.ClientSession() as http:
            async with http.get(link) as page:
                assert page.status == 200
                assert "alice" in await page.text()
    finally:
        stop.set()
        await asyncio.wait_for(server, 30)
