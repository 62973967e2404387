"""The weekly digest (issue 19, point 3): admins subscribe a channel; once a week the delivery
table (`bot.app.outbox`, kind "digest") hands the row to `DigestHandler`, which schedules next
week's row first (idempotent by key), then builds the week's summary and its chart and posts
them through the platform's `DigestPoster`. When the dashboard is on, the admin who subscribed
the channel then gets an admin link of their own, privately (never in the channel): issue 19,
point 3's "dashboard link for admins".

A channel's subscription is its pending "digest" row: the row's payload holds the weekday, time
and time zone, so `digest status` reads it and `digest off` cancels it; there is no second copy
of the schedule to drift from what will actually be sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from bot.app.dashboard_model import Chart, DashboardLinkMinter, Reads, workspace_key
from bot.app.digest_report import Digest, build_digest
from bot.app.identity import identify
from bot.app.outbox import Due, JsonValue, Outcome, Scheduled
from bot.app.ports import Repositories, UnitOfWork
from bot.bank import QuestionBank
from bot.clock import Clock
from bot.daily.models import PermanentDeliveryError, TransientDeliveryError
from bot.daily.rules import DAYS
from bot.grammar_digest import DAY_NAMES, DigestOn
from bot.models import Actor, Place

log = logging.getLogger(__name__)

KIND = "digest"
# A digest that could not go out (every process down) is still worth sending for six hours.
DIGEST_GRACE = timedelta(hours=6)
CHART_SIZE = (800, 400)


@dataclass(frozen=True)
class DigestStatusReport:
    """Whether this channel gets the digest, when, and when the next one is due."""

    weekday: str | None = None
    hour: int = 0
    minute: int = 0
    timezone: str = "UTC"
    next_at: datetime | None = None
    stopped: bool = False

    @property
    def text(self) -> str:
        if self.weekday is None or self.next_at is None:
            return (
                "The weekly digest is off in this channel."
                if self.stopped
                else (
                    "No weekly digest in this channel. Admins: /quiz digest on [WEEKDAY] [HH:MM] [TIMEZONE]"
                )
            )
        local = self.next_at.astimezone(ZoneInfo(self.timezone))
        return (
            f"Weekly digest: {DAY_NAMES[self.weekday].capitalize()}s at {self.hour:02d}:{self.minute:02d} "
            f"{self.timezone}. Next: {local:%a %d %b %H:%M}."
        )


@dataclass(frozen=True)
class AdminLink:
    """An admin's own dashboard link, sent to them alone beside the digest."""

    url: str
    hours: int


@runtime_checkable
class DigestPoster(Protocol):
    async def post_digest(self, target: Place, digest: Digest, chart_png: bytes) -> None:
        """Post the digest with its chart; PermanentDeliveryError / TransientDeliveryError."""
        ...

    async def send_admin_link(self, target: Place, user: str, link: AdminLink) -> None:
        """Show `user` alone their link (Slack: an ephemeral message in the digest's channel;
        Discord: a direct message); PermanentDeliveryError / TransientDeliveryError."""
        ...


def next_due(after: datetime, weekday: str, hour: int, minute: int, timezone: str) -> datetime:
    """The first `weekday` hour:minute in `timezone` strictly after `after`, in UTC."""
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    days_ahead = (DAYS.index(weekday) - local.weekday()) % 7
    for extra in (0, 7):
        day = local.date() + timedelta(days=days_ahead + extra)
        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        if candidate > after:
            return candidate.astimezone(ZoneInfo("UTC"))
    raise AssertionError("a week always holds the weekday")


def _prefix(platform: str, workspace: str, channel: str) -> str:
    return f"{platform}:{workspace}:{channel}:"


def _scheduled(payload: Mapping[str, JsonValue], after: datetime) -> Scheduled:
    weekday, hour, minute, zone = (
        str(payload["weekday"]),
        int(str(payload["hour"])),
        int(str(payload["minute"])),
        str(payload["timezone"]),
    )
    due = next_due(after, weekday, hour, minute, zone)
    prefix = _prefix(str(payload["platform"]), str(payload["workspace"]), str(payload["channel"]))
    local_day = due.astimezone(ZoneInfo(zone)).date().isoformat()
    return Scheduled(KIND, prefix + local_day, str(payload["platform"]), due, dict(payload))


class DigestService:
    def __init__(self, uow: UnitOfWork, clock: Clock, default_timezone: str) -> None:
        self.uow = uow
        self.clock = clock
        self.default_timezone = default_timezone

    async def subscribe(self, actor: Actor, channel: str, command: DigestOn) -> DigestStatusReport:
        now = self.clock.now()

        def subscribe(repositories: Repositories) -> Scheduled:
            workspace, _, _ = identify(repositories, actor, channel, self.default_timezone, now)
            payload: dict[str, JsonValue] = {
                "platform": actor.platform,
                "workspace": actor.workspace,
                "channel": channel,
                "weekday": command.weekday,
                "hour": command.hour,
                "minute": command.minute,
                "timezone": command.timezone or workspace.timezone,
                "admin": actor.user,
            }
            item = _scheduled(payload, now)
            repositories.outbox.cancel(KIND, _prefix(actor.platform, actor.workspace, channel))
            repositories.outbox.schedule(item)
            return item

        return _report(await self.uow.write(subscribe))

    async def unsubscribe(self, actor: Actor, channel: str) -> DigestStatusReport:
        prefix = _prefix(actor.platform, actor.workspace, channel)
        await self.uow.write(lambda repositories: repositories.outbox.cancel(KIND, prefix))
        return DigestStatusReport(stopped=True)

    async def status(self, place: Place) -> DigestStatusReport:
        prefix = _prefix(place.platform, place.workspace, place.channel)
        pending = await self.uow.read(lambda repositories: repositories.outbox.pending(KIND, prefix))
        return _report(min(pending, key=lambda item: item.due_at)) if pending else DigestStatusReport()


def _report(item: Scheduled) -> DigestStatusReport:
    payload = item.payload
    return DigestStatusReport(
        str(payload["weekday"]),
        int(str(payload["hour"])),
        int(str(payload["minute"])),
        str(payload["timezone"]),
        item.due_at,
    )


class DigestHandler:
    """Delivers a due "digest" row: next week's row first, then this week's post."""

    kind = KIND

    def __init__(
        self,
        uow: UnitOfWork,
        reads: Reads,
        posters: Mapping[str, DigestPoster],
        draw: Callable[[Chart, int, int], bytes],
        bank_of: Callable[[Place], Awaitable[QuestionBank]],
        suggest: Callable[[str], str],
        links: DashboardLinkMinter | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.uow = uow
        self.reads = reads
        self.posters = posters
        self.draw = draw
        self.bank_of = bank_of
        """The questions of the channel's workspace, whose names its weakest topic is given by
        (a deck's topic is named as its deck, issue 18)."""
        self.suggest = suggest
        self.links = links
        self.now = now

    async def deliver(self, due: Due) -> Outcome:
        payload = due.item.payload
        poster = self.posters.get(due.item.platform)
        if poster is None:
            return Outcome.RETRY
        await self.uow.write(partial(_schedule_next, payload, due.item.due_at))
        place = Place(due.item.platform, str(payload["workspace"]), str(payload["channel"]))
        zone = str(payload["timezone"])
        bank = await self.bank_of(place)
        digest = await build_digest(
            self.reads, place, due.item.due_at, zone, lambda topic: bank.topic(topic).name, self.suggest
        )
        if digest is None:
            return Outcome.DROPPED
        try:
            await poster.post_digest(place, digest, self.draw(digest.chart, *CHART_SIZE))
        except PermanentDeliveryError:
            return Outcome.DROPPED
        except TransientDeliveryError:
            return Outcome.RETRY
        await self._admin_link(poster, place, payload.get("admin"))
        return Outcome.SENT

    async def _admin_link(self, poster: DigestPoster, place: Place, admin: JsonValue) -> None:
        """The subscribing admin's link, after the digest is out: a failure here is logged and
        never retried, since a retry would post the digest in the channel a second time."""
        if self.links is None or self.now is None or not isinstance(admin, str) or not admin:
            return
        key = workspace_key(place.platform, place.workspace)
        url, hours = self.links.url_for(key, admin, True, self.now())
        try:
            await poster.send_admin_link(place, admin, AdminLink(url, hours))
        except (PermanentDeliveryError, TransientDeliveryError) as error:
            log.warning(
                "weekly digest in %s/%s: the admin's dashboard link was not delivered: %s",
                place.workspace,
                place.channel,
                error,
            )


def _schedule_next(payload: Mapping[str, JsonValue], due_at: datetime, repositories: Repositories) -> None:
    repositories.outbox.schedule(_scheduled(payload, due_at + timedelta(minutes=1)))
