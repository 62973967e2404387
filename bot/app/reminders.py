"""Study reminders: opt-in direct messages at a person's local time when they have cards due,
delivered through the one delivery table (`bot.app.outbox`, kind "reminder").

Each reminder is one row keyed by the person's local date, so at most one reminder a day
whatever the restarts and processes (the outbox claims each row once). Turning the reminder on
schedules the next week of them (`AHEAD`); a delivery reads what it says, and the week's last
row tops it up, so most deliveries write nothing of their own. The reminders delivered at the
same moment (one minute's, a batch the outbox runner claimed) read in one query and top up in
one transaction (`Gathered`), not one each: 10,000 people due at 09:00 are a few dozen reads. A
person whose direct messages are closed is paused with the reason, shown in `remind status`,
until they turn the reminder on again."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.app.gathered import Gathered
from bot.app.identity import identify
from bot.app.learning_ports import LearnerProfile, ReminderFacts
from bot.app.outbox import Due, JsonValue, Outcome, Scheduled
from bot.app.ports import Repositories, UnitOfWork
from bot.clock import Clock
from bot.errors import QuizError
from bot.learning_models import ReminderMessage, ReminderStatus
from bot.models import Actor
from bot.reminders import MAX_PAUSE_DAYS, REMINDER_KIND, ReminderTime, next_reminder, reminder_key

log = logging.getLogger(__name__)

DMS_CLOSED = "Studybot cannot send you direct messages here"
AHEAD = 7
"""Reminders scheduled ahead per person; the last of them schedules the next week."""


class DirectResult(StrEnum):
    SENT = "sent"
    CLOSED = "closed"
    """The platform refuses direct messages to this person (permanent until they change it)."""
    RETRY = "retry"


class DirectMessages(Protocol):
    """An adapter's way to send a person a direct message."""

    async def send_reminder(self, workspace: str, user: str, message: ReminderMessage) -> DirectResult: ...


def _user_id(due: Due) -> int:
    return int(str(due.item.payload["user_id"]))


def _said(due: Due, facts: ReminderFacts | None) -> tuple[ReminderMessage | None, bool]:
    """What a reminder says to the person `facts` describe (None: nothing), and whether it is
    the last of their scheduled week."""
    if facts is None:
        return None, False
    profile, when = facts.profile, _time_of(facts.profile)
    if when is None or profile.paused_reason is not None:
        return None, False
    running_out = bool(due.item.payload.get("last"))
    if (
        profile.paused_until is not None
        and due.item.due_at.astimezone(ZoneInfo(when.timezone)).date() <= profile.paused_until
    ):
        return None, running_out
    if not facts.cards_due:
        return None, running_out
    return ReminderMessage(facts.cards_due, facts.streak), running_out


def _time_of(profile: LearnerProfile) -> ReminderTime | None:
    if profile.remind_hour is None or profile.remind_minute is None:
        return None
    return ReminderTime(
        profile.remind_hour,
        profile.remind_minute,
        profile.remind_timezone or "UTC",
        profile.remind_weekdays or "",
    )


class Reminders:
    """The `remind` and `pause` commands, and the outbox's handler of reminder rows."""

    kind = REMINDER_KIND

    def __init__(self, uow: UnitOfWork, clock: Clock, default_timezone: str = "UTC") -> None:
        self.uow = uow
        self.clock = clock
        self.default_timezone = default_timezone
        self.messengers: dict[str, DirectMessages] = {}
        """The platforms this process can send direct messages on, added as adapters start."""
        # A claimed batch is delivered concurrently: what its reminders say is read, and the
        # weeks running out are topped up, many people per transaction.
        self._prepared = Gathered(self._prepare_all)
        self._topped_up = Gathered(self._top_up_all)

    # -- commands -------------------------------------------------------------------------

    async def turn_on(
        self, actor: Actor, hour: int, minute: int, timezone: str | None, weekdays: str
    ) -> ReminderStatus:
        return await self.uow.write(partial(self._turn_on, actor, hour, minute, timezone, weekdays))

    def _turn_on(
        self,
        actor: Actor,
        hour: int,
        minute: int,
        timezone: str | None,
        weekdays: str,
        repositories: Repositories,
    ) -> ReminderStatus:
        now = self.clock.now()
        workspace, user_id, _ = identify(repositories, actor, None, self.default_timezone, now)
        when = ReminderTime(hour, minute, timezone or workspace.timezone, weekdays)
        repositories.learners.set_reminder(user_id, when, now)
        return self._reschedule(repositories, actor, user_id, now)

    async def turn_off(self, actor: Actor) -> ReminderStatus:
        return await self.uow.write(partial(self._turn_off, actor))

    def _turn_off(self, actor: Actor, repositories: Repositories) -> ReminderStatus:
        now = self.clock.now()
        _, user_id, _ = identify(repositories, actor, None, self.default_timezone, now)
        repositories.learners.set_reminder(user_id, None, now)
        return self._reschedule(repositories, actor, user_id, now)

    async def pause(self, actor: Actor, days: int) -> ReminderStatus:
        if not 0 <= days <= MAX_PAUSE_DAYS:
            raise QuizError(f"Pause for 1 to {MAX_PAUSE_DAYS} days (pause 0 days ends a pause).")
        return await self.uow.write(partial(self._pause, actor, days))

    def _pause(self, actor: Actor, days: int, repositories: Repositories) -> ReminderStatus:
        now = self.clock.now()
        workspace, user_id, _ = identify(repositories, actor, None, self.default_timezone, now)
        profile = repositories.learners.profile(user_id)
        zone = ZoneInfo((_time_of(profile) or ReminderTime(0, 0, workspace.timezone, "")).timezone)
        until = now.astimezone(zone).date() + timedelta(days=days - 1) if days else None
        repositories.learners.set_pause(user_id, until, profile.paused_reason, now)
        return self._reschedule(repositories, actor, user_id, now)

    async def status(self, actor: Actor) -> ReminderStatus:
        return await self.uow.read(partial(self._status, actor))

    def _status(self, actor: Actor, repositories: Repositories) -> ReminderStatus:
        workspace = repositories.people.find_workspace(actor.platform, actor.workspace)
        user = workspace and repositories.people.find_user(workspace.id, actor.user)
        if not workspace or not user:
            return ReminderStatus(None, None, None, None, None, None, None)
        return self._report(repositories, actor, repositories.learners.profile(user.id))

    def _report(self, repositories: Repositories, actor: Actor, profile: LearnerProfile) -> ReminderStatus:
        pending = repositories.outbox.pending(
            REMINDER_KIND, reminder_key(actor.platform, actor.workspace, actor.user)
        )
        return ReminderStatus(
            profile.remind_hour,
            profile.remind_minute,
            profile.remind_timezone,
            profile.remind_weekdays,
            min((item.due_at for item in pending), default=None),
            profile.paused_until,
            profile.paused_reason,
        )

    def _reschedule(
        self, repositories: Repositories, actor: Actor, user_id: int, now: datetime
    ) -> ReminderStatus:
        """Replace the person's pending reminder by the next one their settings give."""
        repositories.outbox.cancel(REMINDER_KIND, reminder_key(actor.platform, actor.workspace, actor.user))
        profile = repositories.learners.profile(user_id)
        self.schedule_next(repositories, actor.platform, actor.workspace, actor.user, user_id, profile, now)
        return self._report(repositories, actor, profile)

    @staticmethod
    def schedule_next(
        repositories: Repositories,
        platform: str,
        workspace: str,
        user: str,
        user_id: int,
        profile: LearnerProfile,
        after: datetime,
    ) -> datetime | None:
        """Schedule the next `AHEAD` reminders after `after` not already delivered (a day whose
        row was sent is skipped: at most one a day); the first of them. None when the reminder is
        off or paused for a reason. A week ahead, so that a delivery writes only once a week."""
        when = _time_of(profile)
        if when is None or profile.paused_reason is not None:
            return None
        first, scheduled = None, 0
        for _ in range(2 * AHEAD):
            day, at = next_reminder(when, after, profile.paused_until)
            key = reminder_key(platform, workspace, user, day)
            # The week's last row tops the week up when it is delivered.
            payload: dict[str, JsonValue] = {
                "user_id": user_id,
                "workspace": workspace,
                "user": user,
                "last": scheduled == AHEAD - 1,
            }
            outbox = repositories.outbox
            if outbox.schedule(Scheduled(REMINDER_KIND, key, platform, at, payload)) or outbox.pending(
                REMINDER_KIND, key
            ):
                first, scheduled = first or at, scheduled + 1
                if scheduled == AHEAD:
                    break
            after = at
        return first

    # -- delivery -------------------------------------------------------------------------

    async def deliver(self, due: Due) -> Outcome:
        item = due.item
        workspace, user = str(item.payload["workspace"]), str(item.payload["user"])
        message, running_out = await self._prepared(due)
        if running_out:
            await self._topped_up(due)
        if message is None:
            return Outcome.SENT
        messenger = self.messengers.get(item.platform)
        if messenger is None:
            return Outcome.RETRY
        result = await messenger.send_reminder(workspace, user, message)
        if result is DirectResult.CLOSED:
            await self.uow.write(partial(self._closed, due))
            return Outcome.DROPPED
        return Outcome.SENT if result is DirectResult.SENT else Outcome.RETRY

    async def _prepare_all(self, dues: Sequence[Due]) -> list[tuple[ReminderMessage | None, bool]]:
        return await self.uow.read(partial(self._prepare, dues))

    def _prepare(
        self, dues: Sequence[Due], repositories: Repositories
    ) -> list[tuple[ReminderMessage | None, bool]]:
        """What each reminder says (None: nothing, being turned off, paused, or with no cards
        due), and whether it is the last of the person's scheduled week (one read for all)."""
        facts = repositories.learners.reminder_facts([_user_id(due) for due in dues], self.clock.now())
        return [_said(due, facts.get(_user_id(due))) for due in dues]

    async def _top_up_all(self, dues: Sequence[Due]) -> list[None]:
        return await self.uow.write(partial(self._top_up, dues))

    def _top_up(self, dues: Sequence[Due], repositories: Repositories) -> list[None]:
        """Schedule each person's next week of reminders, after this one (one write for all)."""
        for due in dues:
            item, user_id = due.item, _user_id(due)
            workspace, user = str(item.payload["workspace"]), str(item.payload["user"])
            profile = repositories.learners.profile(user_id)
            after = max(self.clock.now(), item.due_at)
            self.schedule_next(repositories, item.platform, workspace, user, user_id, profile, after)
        return [None for _ in dues]

    def _closed(self, due: Due, repositories: Repositories) -> None:
        item, user_id = due.item, _user_id(due)
        prefix = reminder_key(item.platform, str(item.payload["workspace"]), str(item.payload["user"]))
        repositories.outbox.cancel(REMINDER_KIND, prefix)
        profile = repositories.learners.profile(user_id)
        repositories.learners.set_pause(user_id, profile.paused_until, DMS_CLOSED, self.clock.now())
        log.info("reminders paused for user %s: direct messages closed", user_id)
