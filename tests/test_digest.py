"""The weekly digest (issue 19, point 3): admins only; once a week, exactly once across
processes, through the delivery table; what it says; its PNG."""

from __future__ import annotations

import asyncio
import random
import struct
from datetime import UTC, datetime

from adapters.serve import draw_png
from bot.app.commands import Notice
from bot.app.digest import AdminLink, DigestStatusReport, next_due
from bot.app.digest_report import Digest
from bot.bank import QuestionBank
from bot.bootstrap import Core, compose, register_digest
from bot.daily.models import TransientDeliveryError
from bot.dashboard_links import DashboardLinks, LinkGrant
from bot.db.database import Database
from bot.grammar import Invalid, parse
from bot.grammar_digest import DigestOff, DigestOn, DigestStatus
from bot.models import Actor, Place, Posted
from bot.recall import Grade
from tests.conftest import FrozenClock
from tests.dashboard_seed import CHANNEL, WORKSPACE, seed
from tests.decks.workspace_helpers import imported

ADMIN = Actor("slack", WORKSPACE, "U1", "Alice", "Team T1", is_admin=True)
MEMBER = Actor("slack", WORKSPACE, "U2", "Bob", "Team T1")


class RecordingDigests:
    def __init__(self, link_error: Exception | None = None) -> None:
        self.posted: list[tuple[Place, Digest, bytes]] = []
        self.links: list[tuple[Place, str, AdminLink]] = []
        self.link_error = link_error

    async def post_digest(self, target: Place, digest: Digest, chart_png: bytes) -> None:
        self.posted.append((target, digest, chart_png))

    async def send_admin_link(self, target: Place, user: str, link: AdminLink) -> None:
        if self.link_error is not None:
            raise self.link_error
        self.links.append((target, user, link))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_digest_commands_parse() -> None:
    assert parse("digest on") == DigestOn("mon", 9, 0, None)
    assert parse("digest on Friday 16:30 Europe/Berlin") == DigestOn("fri", 16, 30, "Europe/Berlin")
    assert parse("/quiz digest off") == DigestOff()
    assert parse("digest status") == DigestStatus() == parse("digest")
    for bad in ("digest on funday", "digest on 25:00", "digest on Mars/Base", "digest maybe"):
        assert isinstance(parse(bad), Invalid), bad


def test_the_next_digest_is_the_next_weekday_at_that_local_time() -> None:
    wednesday_noon = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
    assert next_due(wednesday_noon, "mon", 9, 0, "UTC") == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert next_due(wednesday_noon, "wed", 13, 0, "Europe/Berlin") == datetime(
        2026, 11, 25, 12, 0, tzinfo=UTC
    )
    assert next_due(wednesday_noon, "wed", 14, 0, "Europe/Berlin") == datetime(
        2026, 11, 18, 13, 0, tzinfo=UTC
    )


async def test_only_admins_manage_the_digest_and_status_reads_the_delivery_table(core: Core) -> None:
    for text in ("digest on", "digest off", "digest status"):
        refused = await core.commands.execute(MEMBER, CHANNEL, parse(text))
        assert (
            isinstance(refused, Notice)
            and refused.text == "Only workspace admins can set up the weekly digest."
        )
    on = await core.commands.execute(ADMIN, CHANNEL, parse("digest on friday 16:30 Europe/Berlin"))
    assert isinstance(on, DigestStatusReport)
    assert on.text == "Weekly digest: Fridays at 16:30 Europe/Berlin. Next: Fri 20 Nov 16:30."
    again = await core.commands.execute(ADMIN, CHANNEL, parse("digest on mon 08:00 UTC"))
    status = await core.commands.execute(ADMIN, CHANNEL, parse("digest status"))
    assert status == again and isinstance(status, DigestStatusReport)
    assert status.text == "Weekly digest: Mondays at 08:00 UTC. Next: Mon 23 Nov 08:00."
    off = await core.commands.execute(ADMIN, CHANNEL, parse("digest off"))
    assert isinstance(off, DigestStatusReport) and off.text == "The weekly digest is off in this channel."
    status = await core.commands.execute(ADMIN, CHANNEL, parse("digest status"))
    assert isinstance(status, DigestStatusReport) and status.text.startswith(
        "No weekly digest in this channel."
    )


async def test_the_digest_goes_out_once_across_two_processes_and_schedules_next_week(
    core: Core, database: Database, bank: QuestionBank, clock: FrozenClock
) -> None:
    await seed(core, bank, clock)
    await core.commands.execute(ADMIN, CHANNEL, parse("digest on monday 09:00 UTC"))
    processes, posters = [], []
    for _ in range(2):
        process = compose(database, bank, clock, "Europe/Berlin", rng=random.Random(7))
        poster = RecordingDigests()
        register_digest(process, {"slack": poster}, draw_png)
        process.outbox.deliver_to("slack")
        processes.append(process)
        posters.append(poster)
    clock.moment = datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC)
    reports = await asyncio.gather(*(p.outbox.run_due() for p in processes for _ in range(2)))
    assert sum(len(report.sent) for report in reports) == 1
    ((place, digest, chart),) = [sent for poster in posters for sent in poster.posted]
    assert place == Place("slack", WORKSPACE, CHANNEL)
    assert png_size(chart) == (800, 400)
    assert digest.week_start.isoformat() == "2026-11-16"
    assert digest.active == (3, 0) and digest.answers == (7, 0)
    assert [row.name for row in digest.improved_people][:1] == ["Alice"]
    assert {row.name for row in digest.improved_teams} == {"Red", "Blue"}
    lines = digest.lines()
    assert lines[1] == "People active: 3 (none the week before); answers: 7 (none the week before)."
    assert lines[-2].startswith("Weakest topic: ") and "% right). Try /quiz " in lines[-2]
    assert lines[-1].startswith("Admins: /quiz dashboard")
    status = await core.commands.execute(ADMIN, CHANNEL, parse("digest status"))
    assert isinstance(status, DigestStatusReport) and status.text.endswith("Next: Mon 30 Nov 09:00.")
    later = await asyncio.gather(*(p.outbox.run_due() for p in processes))
    assert all(not report.sent for report in later)


async def test_the_subscribing_admin_gets_an_admin_link_privately_and_the_channel_none(
    core: Core, bank: QuestionBank, clock: FrozenClock
) -> None:
    """Issue 19, point 3: the digest gives admins the dashboard link, but never in the channel."""
    links = DashboardLinks("s" * 32, "https://study.example.com")
    await seed(core, bank, clock)
    await core.commands.execute(ADMIN, CHANNEL, parse("digest on monday 09:00 UTC"))
    poster = RecordingDigests()
    register_digest(core, {"slack": poster}, draw_png, links)
    core.outbox.deliver_to("slack")
    clock.moment = datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC)
    assert len((await core.outbox.run_due()).sent) == 1
    ((_, digest, _),) = poster.posted
    assert not any("https://" in line for line in digest.lines())
    ((place, user, link),) = poster.links
    assert (place, user, link.hours) == (Place("slack", WORKSPACE, CHANNEL), ADMIN.user, 24)
    token = link.url.split("?t=", 1)[1]
    assert links.grant(token, clock.now()) == LinkGrant(f"slack:{WORKSPACE}", ADMIN.user, True)


async def test_a_lost_admin_link_neither_retries_nor_reposts_the_digest(
    core: Core, bank: QuestionBank, clock: FrozenClock
) -> None:
    await seed(core, bank, clock)
    await core.commands.execute(ADMIN, CHANNEL, parse("digest on monday 09:00 UTC"))
    poster = RecordingDigests(link_error=TransientDeliveryError("Slack 500"))
    register_digest(core, {"slack": poster}, draw_png, DashboardLinks("s" * 32, "https://x.example"))
    core.outbox.deliver_to("slack")
    clock.moment = datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC)
    assert len((await core.outbox.run_due()).sent) == 1
    clock.moment = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert not (await core.outbox.run_due()).sent
    assert len(poster.posted) == 1 and poster.links == []


async def test_without_the_dashboard_no_admin_link_is_sent(
    core: Core, bank: QuestionBank, clock: FrozenClock
) -> None:
    await seed(core, bank, clock)
    poster = await monday_digest(core, clock)
    assert len(poster.posted) == 1 and poster.links == []


async def monday_digest(core: Core, clock: FrozenClock) -> RecordingDigests:
    """A Monday 09:00 digest in CHANNEL, without the dashboard, sent once it is due."""
    await core.commands.execute(ADMIN, CHANNEL, parse("digest on monday 09:00 UTC"))
    poster = RecordingDigests()
    register_digest(core, {"slack": poster}, draw_png)
    core.outbox.deliver_to("slack")
    clock.moment = datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC)
    assert len((await core.outbox.run_due()).sent) == 1
    return poster


async def test_a_decks_weakest_topic_is_named_as_the_deck_not_by_its_id(
    core: Core, clock: FrozenClock
) -> None:
    """Issue 18: a workspace's own deck is one of its topics, named by the deck's name."""
    await imported(core.decks, f"slack:{WORKSPACE}", "Team Terms")
    clock.moment = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
    for _ in range(3):
        posted = await core.quiz.ask(MEMBER, CHANNEL, "team-terms")
        assert isinstance(posted, Posted)
        await core.quiz.answer_self_grade(MEMBER, posted.question.instance_id, Grade.AGAIN)
    ((_, digest, _),) = (await monday_digest(core, clock)).posted
    assert digest.weakest is not None and digest.weakest.topic == "team-terms"
    assert digest.weakest_name == "Team Terms"
    assert "Weakest topic: Team Terms (0% right). Try /quiz team-terms" in digest.lines()[-2]
