"""An in-memory unit of work: every repository of `bot.app.ports` over plain dicts, so that the
quiz's rules can be tested without a database. A transaction works on a copy of the state and
puts it in place when the work returns; when the work raises, nothing changes."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import count
from typing import Any, TypeVar

from bot.app.daily_ports import (
    ChannelSubscription,
    DailyClaim,
    JobKind,
    ScheduleKey,
    StaleClaim,
    SubscriptionSettings,
)
from bot.app.ports import (
    BoardLine,
    NamedAnswer,
    NewAnswer,
    PostedQuestion,
    QuestionTally,
    RecordedAnswer,
    Repositories,
    Tally,
    Team,
    User,
    UserState,
    Workspace,
)
from bot.daily.models import Subscription
from bot.models import Place, Scope, TeamSummary
from tests.memory_dashboard import DashboardState, MemoryDashboard
from tests.memory_decks import DeckState, MemoryDecks
from tests.memory_exam import ExamState, MemoryExams
from tests.memory_feedback import FeedbackState, MemoryFeedback
from tests.memory_learning import LearningState, MemoryCards, MemoryLearners
from tests.memory_outbox import MemoryOutbox, OutboxState

T = TypeVar("T")


@dataclass
class _Post:
    channel_id: int
    question_id: str
    mode: str
    posted_at: datetime
    posted_by: int | None
    daily_date: date | None = None
    topic_id: str | None = None
    revealed_at: datetime | None = None
    answer_count: int = 0
    post_state: str | None = None
    lease_until: datetime | None = None
    scheduled_for: datetime | None = None
    message_ref: str | None = None


@dataclass
class _State:
    workspaces: dict[int, Workspace] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    channels: dict[int, tuple[int, str]] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)
    members: dict[int, int] = field(default_factory=dict)
    posts: dict[int, _Post] = field(default_factory=dict)
    answers: list[NewAnswer] = field(default_factory=list)
    totals: dict[tuple[Scope, int, str], list[int]] = field(default_factory=dict)
    subscriptions: dict[int, tuple[int, SubscriptionSettings, str | None]] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: count(1))
    learning: LearningState = field(default_factory=LearningState)
    dashboard: DashboardState = field(default_factory=DashboardState)
    outbox: OutboxState = field(default_factory=OutboxState)
    exams: ExamState = field(default_factory=ExamState)
    feedback: FeedbackState = field(default_factory=FeedbackState)
    decks: DeckState = field(default_factory=DeckState)


class MemoryRepositories:
    """Every repository at once, on one state (the transaction's copy)."""

    def __init__(self, state: _State) -> None:
        self.s = state

    @property
    def people(self) -> MemoryRepositories:
        return self

    @property
    def teams(self) -> MemoryRepositories:
        return self

    @property
    def posts(self) -> MemoryRepositories:
        return self

    @property
    def claims(self) -> MemoryRepositories:
        return self

    @property
    def answers(self) -> MemoryRepositories:
        return self

    @property
    def subscriptions(self) -> MemoryRepositories:
        return self

    @property
    def cards(self) -> MemoryCards:
        return MemoryCards(self.s)

    @property
    def learners(self) -> MemoryLearners:
        return MemoryLearners(self.s)

    @property
    def dashboard(self) -> MemoryDashboard:
        return MemoryDashboard(self.s.dashboard)

    @property
    def outbox(self) -> MemoryOutbox:
        return MemoryOutbox(self.s.outbox)

    @property
    def exams(self) -> MemoryExams:
        return MemoryExams(self.s.exams, self._answered_by, self._person)

    def _person(self, user_id: int) -> tuple[str, str]:
        user = self.s.users[user_id]
        return user.external_id, user.display_name

    def _answered_by(self, user_id: int) -> list[str]:
        return [self.s.posts[a.instance_id].question_id for a in self.s.answers if a.user_id == user_id]

    @property
    def feedback(self) -> MemoryFeedback:
        return MemoryFeedback(self.s)

    @property
    def decks(self) -> MemoryDecks:
        return MemoryDecks(self.s)

    def _id(self) -> int:
        return int(next(self.s.ids))

    # -- people ---------------------------------------------------------------------------

    def workspace(
        self, platform: str, external_id: str, name: str, timezone: str, now: datetime
    ) -> Workspace:
        found = self.find_workspace(platform, external_id)
        if found is None:
            found = Workspace(self._id(), platform, external_id, name, timezone)
        elif name and found.name != name:
            found = replace(found, name=name)
        self.s.workspaces[found.id] = found
        return found

    def find_workspace(self, platform: str, external_id: str) -> Workspace | None:
        return next(
            (w for w in self.s.workspaces.values() if (w.platform, w.external_id) == (platform, external_id)),
            None,
        )

    def _user(self, workspace_id: int, external_id: str, display_name: str) -> User:
        found = self.find_user(workspace_id, external_id)
        name = display_name or external_id
        if found is None:
            found = User(self._id(), workspace_id, external_id, name, 0, 0, 0, 0)
        elif display_name and found.display_name != display_name:
            found = replace(found, display_name=display_name)
        self.s.users[found.id] = found
        return found

    def find_user(self, workspace_id: int, external_id: str) -> User | None:
        return next(
            (
                u
                for u in self.s.users.values()
                if (u.workspace_id, u.external_id) == (workspace_id, external_id)
            ),
            None,
        )

    def ensure_users(
        self, wanted: Mapping[tuple[int, str], str], now: datetime
    ) -> dict[tuple[int, str], int]:
        return {key: self._user(key[0], key[1], name).id for key, name in sorted(wanted.items())}

    def set_streaks(self, streaks: Mapping[int, tuple[int, int]]) -> None:
        for user_id, (streak, daily) in streaks.items():
            user = self.s.users[user_id]
            self.s.users[user_id] = replace(
                user,
                streak=streak,
                best_streak=max(user.best_streak, streak),
                daily_streak=daily,
                best_daily_streak=max(user.best_daily_streak, daily),
            )

    def channel(self, workspace_id: int, external_id: str) -> int:
        for channel_id, key in self.s.channels.items():
            if key == (workspace_id, external_id):
                return channel_id
        channel_id = self._id()
        self.s.channels[channel_id] = (workspace_id, external_id)
        return channel_id

    def find_channel(self, platform: str, workspace: str, channel: str) -> int | None:
        found = self.find_workspace(platform, workspace)
        keys = {key: channel_id for channel_id, key in self.s.channels.items()}
        return None if found is None else keys.get((found.id, channel))

    # -- teams ----------------------------------------------------------------------------

    def of_user(self, user_id: int) -> Team | None:
        team_id = self.s.members.get(user_id)
        return None if team_id is None else self.s.teams[team_id]

    def find(self, workspace_id: int, name_key: str) -> Team | None:
        return next(
            (
                t
                for t in self.s.teams.values()
                if t.workspace_id == workspace_id and t.name.casefold() == name_key
            ),
            None,
        )

    def create(self, workspace_id: int, name: str, now: datetime) -> Team:
        team = self.find(workspace_id, name.casefold()) or Team(self._id(), workspace_id, name)
        self.s.teams[team.id] = team
        return team

    def set_membership(self, user_id: int, team_id: int | None, now: datetime) -> None:
        self.s.members.pop(user_id, None)
        if team_id is not None:
            self.s.members[user_id] = team_id

    def summaries(self, workspace_id: int) -> list[TeamSummary]:
        teams = [t for t in self.s.teams.values() if t.workspace_id == workspace_id]
        found = [
            TeamSummary(
                t.name,
                sum(1 for team_id in self.s.members.values() if team_id == t.id),
                self.s.totals.get((Scope.TEAMS, t.id, "all"), [0, 0, 0, 0])[1],
            )
            for t in teams
        ]
        return sorted(found, key=lambda summary: (-summary.points, summary.name))

    def names(self, workspace_id: int) -> list[str]:
        return [t.name for t in self.s.teams.values() if t.workspace_id == workspace_id]

    def remove_if_empty(self, team_id: int) -> None:
        if team_id not in self.s.members.values():
            self.remove(team_id)

    def rename(self, team_id: int, name: str) -> None:
        self.s.teams[team_id] = replace(self.s.teams[team_id], name=name)

    def remove(self, team_id: int) -> int:
        """As the tables' foreign keys do: members and totals go, answers keep no team."""
        members = [user for user, team in self.s.members.items() if team == team_id]
        for user in members:
            del self.s.members[user]
        self.s.answers = [replace(a, team_id=None) if a.team_id == team_id else a for a in self.s.answers]
        for key in [k for k in self.s.totals if k[0] is Scope.TEAMS and k[1] == team_id]:
            del self.s.totals[key]
        self.s.teams.pop(team_id, None)
        return len(members)

    # -- posts and daily claims -------------------------------------------------------------

    def add(
        self,
        channel_id: int,
        question_id: str,
        mode: str,
        now: datetime,
        posted_by: int | None,
        topic_id: str | None = None,
    ) -> int:
        instance_id = self._id()
        self.s.posts[instance_id] = _Post(channel_id, question_id, mode, now, posted_by, topic_id=topic_id)
        return instance_id

    def get(self, instance_id: int) -> PostedQuestion | None:
        post = self.s.posts.get(instance_id)
        if post is None:
            return None
        workspace = self.s.workspaces[self.s.channels[post.channel_id][0]]
        return PostedQuestion(
            instance_id,
            post.channel_id,
            post.question_id,
            post.mode,
            workspace.id,
            workspace.platform,
            workspace.external_id,
            post.revealed_at,
            post.answer_count,
            post.daily_date,
            post.topic_id,
        )

    def set_message_ref(self, instance_id: int, ref: str) -> None:
        self.s.posts[instance_id].message_ref = ref

    def message_ref(self, instance_id: int) -> str | None:
        post = self.s.posts.get(instance_id)
        return None if post is None else post.message_ref

    def last_seen(
        self, channel_id: int, user_id: int | None, question_ids: Sequence[str]
    ) -> dict[str, datetime]:
        seen: dict[str, datetime] = {}
        moments = [(p.question_id, p.posted_at) for p in self.s.posts.values() if p.channel_id == channel_id]
        moments += [
            (self.s.posts[a.instance_id].question_id, a.answered_at)
            for a in self.s.answers
            if a.user_id == user_id
        ]
        for question_id, when in moments:
            if question_id in question_ids:
                seen[question_id] = max(seen.get(question_id, when), when)
        return seen

    def posted_history(self, channel_ids: Sequence[int]) -> dict[int, dict[str, datetime]]:
        seen: dict[int, dict[str, datetime]] = {}
        for post in self.s.posts.values():
            if post.channel_id in channel_ids:
                history = seen.setdefault(post.channel_id, {})
                history[post.question_id] = max(history.get(post.question_id, post.posted_at), post.posted_at)
        return seen

    def add_answer_counts(self, increments: Mapping[int, int]) -> None:
        for instance_id, added in increments.items():
            self.s.posts[instance_id].answer_count += added

    def claim(self, claims: Sequence[DailyClaim]) -> dict[int, int]:
        taken = {(p.channel_id, p.daily_date) for p in self.s.posts.values() if p.daily_date is not None}
        won = {}
        for c in claims:
            if (c.channel_id, c.daily_date) not in taken:
                instance_id = self.add(c.channel_id, c.question_id, "daily", c.posted_at, None, c.topic_id)
                post = self.s.posts[instance_id]
                post.daily_date, post.post_state = c.daily_date, "pending"
                post.lease_until, post.scheduled_for = c.lease_until, c.scheduled_for
                won[c.channel_id] = instance_id
        return won

    def finish(self, instance_id: int, state: str) -> None:
        post = self.s.posts[instance_id]
        post.post_state, post.lease_until = state, None

    def mark_posted(self, posted: Sequence[tuple[int, str]], now: datetime) -> None:
        for instance_id, ref in posted:
            post = self.s.posts[instance_id]
            post.post_state, post.lease_until, post.message_ref, post.posted_at = "posted", None, ref, now

    def stale(self, now: datetime) -> list[StaleClaim]:
        return [
            StaleClaim(i, p.channel_id, p.scheduled_for)
            for i, p in self.s.posts.items()
            if p.post_state == "pending"
            and p.lease_until is not None
            and p.lease_until < now
            and p.scheduled_for is not None
        ]

    def take_leases(self, instance_ids: Sequence[int], now: datetime, lease_until: datetime) -> list[int]:
        taken = [c.id for c in self.stale(now) if c.id in instance_ids]
        for instance_id in taken:
            self.s.posts[instance_id].lease_until = lease_until
        return sorted(taken)

    def extend_leases(self, instance_ids: Sequence[int], lease_until: datetime) -> None:
        for instance_id in instance_ids:
            if self.s.posts[instance_id].post_state == "pending":
                self.s.posts[instance_id].lease_until = lease_until

    def unrevealed(self, channel_ids: Sequence[int], before: datetime) -> dict[int, list[int]]:
        found: dict[int, list[tuple[date, int]]] = {}
        for instance_id, p in self.s.posts.items():
            due = p.scheduled_for is not None and p.scheduled_for < before
            if p.channel_id in channel_ids and p.post_state == "posted" and p.revealed_at is None and due:
                assert p.daily_date is not None
                found.setdefault(p.channel_id, []).append((p.daily_date, instance_id))
        return {channel: [i for _, i in sorted(rows)] for channel, rows in found.items()}

    def mark_revealed(self, instance_id: int, now: datetime) -> bool:
        post = self.s.posts[instance_id]
        if post.revealed_at is not None:
            return False
        post.revealed_at = now
        return True

    # -- answers and totals ------------------------------------------------------------------

    def _recorded(self, answer: NewAnswer) -> RecordedAnswer:
        return RecordedAnswer(answer.choice, answer.correct, answer.points, answer.late)

    def first_answer(self, instance_id: int, user_id: int) -> RecordedAnswer | None:
        return next(
            (
                self._recorded(a)
                for a in self.s.answers
                if (a.instance_id, a.user_id) == (instance_id, user_id)
            ),
            None,
        )

    def states_and_answers(
        self, pairs: Sequence[tuple[int, int]]
    ) -> tuple[dict[int, tuple[bool, int]], dict[tuple[int, int], RecordedAnswer]]:
        states = {
            i: (self.s.posts[i].revealed_at is not None, self.s.posts[i].answer_count)
            for i, _ in pairs
            if i in self.s.posts
        }
        first = {}
        for instance_id, user_id in pairs:
            answer = self.first_answer(instance_id, user_id)
            if answer is not None:
                first[(instance_id, user_id)] = answer
        return states, first

    def user_states(self, user_ids: Sequence[int]) -> dict[int, UserState]:
        return {
            user_id: UserState(
                self.s.users[user_id].streak,
                self.s.users[user_id].daily_streak,
                self.s.totals.get((Scope.PEOPLE, user_id, "all"), [0, 0, 0, 0])[1],
                self.s.members.get(user_id),
            )
            for user_id in user_ids
        }

    def previous_daily(self, channel_id: int, daily_date: date, user_id: int) -> RecordedAnswer | None:
        earlier = [
            (p.daily_date, i)
            for i, p in self.s.posts.items()
            if p.channel_id == channel_id
            and p.mode == "daily"
            and p.post_state == "posted"
            and p.daily_date is not None
            and p.daily_date < daily_date
        ]
        return self.first_answer(max(earlier)[1], user_id) if earlier else None

    def insert(self, rows: Sequence[NewAnswer]) -> int:
        new = [r for r in rows if self.first_answer(r.instance_id, r.user_id) is None]
        self.s.answers.extend(new)
        return len(new)

    def add_totals(
        self, scope: Scope, totals: Mapping[tuple[int, str], Sequence[int]], workspace_of: Mapping[int, int]
    ) -> None:
        for (owner, key), (points, answers, correct) in totals.items():
            tally = self.s.totals.setdefault((scope, owner, key), [workspace_of[owner], 0, 0, 0])
            tally[1] += points
            tally[2] += answers
            tally[3] += correct

    def user_totals(self, user_id: int, period_keys: Sequence[str]) -> dict[str, Tally]:
        return {
            key: Tally(*self.s.totals[(Scope.PEOPLE, user_id, key)][1:])
            for key in period_keys
            if (Scope.PEOPLE, user_id, key) in self.s.totals
        }

    def by_question(self, user_id: int) -> list[QuestionTally]:
        counts: dict[str, list[int]] = {}
        for a in self.s.answers:
            if a.user_id == user_id and not a.late:
                tally = counts.setdefault(self.s.posts[a.instance_id].question_id, [0, 0])
                tally[0] += 1
                tally[1] += int(a.correct)
        return [QuestionTally(q, n, c) for q, (n, c) in counts.items()]

    def named(self, instance_id: int) -> list[NamedAnswer]:
        return [
            NamedAnswer(
                self.s.users[a.user_id].display_name,
                a.correct,
                self.s.teams[a.team_id].name if a.team_id is not None else None,
            )
            for a in sorted(self.s.answers, key=lambda a: a.answered_at)
            if a.instance_id == instance_id and not a.late
        ]

    def top(self, workspace_id: int, period_key: str, scope: Scope, limit: int) -> list[BoardLine]:
        lines = [
            (tally[1], tally[3], owner)
            for (kind, owner, key), tally in self.s.totals.items()
            if kind is scope and key == period_key and tally[0] == workspace_id
        ]
        lines.sort(reverse=True)

        def name(owner: int) -> str:
            return self.s.users[owner].display_name if scope is Scope.PEOPLE else self.s.teams[owner].name

        tallies = {owner: self.s.totals[(scope, owner, period_key)] for _, _, owner in lines}
        return [
            BoardLine(name(owner), points, tallies[owner][2], correct)
            for points, correct, owner in lines[:limit]
        ]

    # -- subscriptions ---------------------------------------------------------------------------

    def put(self, channel_id: int, settings: SubscriptionSettings) -> None:
        found = self.of_channel(channel_id)
        subscription_id = found.subscription.id if found else self._id()
        self.s.subscriptions[subscription_id] = (channel_id, settings, None)

    def _found(self, subscription_id: int) -> ChannelSubscription:
        channel_id, settings, paused = self.s.subscriptions[subscription_id]
        workspace_id, channel = self.s.channels[channel_id]
        workspace = self.s.workspaces[workspace_id]
        subscription = Subscription(
            subscription_id,
            Place(workspace.platform, workspace.external_id, channel),
            settings.topic_id,
            settings.hour,
            settings.minute,
            settings.timezone,
            settings.weekdays,
            settings.reveal,
            paused,
            since=settings.updated_at,
        )
        return ChannelSubscription(subscription, channel_id)

    def of_channel(self, channel_id: int) -> ChannelSubscription | None:
        return next((f for f in self.every() if f.channel_id == channel_id), None)

    def every(self, platform: str | None = None) -> list[ChannelSubscription]:
        found = [self._found(i) for i in sorted(self.s.subscriptions)]
        return [f for f in found if platform in (None, f.subscription.target.platform)]

    def many(self, subscription_ids: Sequence[int]) -> list[ChannelSubscription]:
        return [f for f in self.every() if f.subscription.id in subscription_ids]

    def due(self, kind: JobKind, when: ScheduleKey, platform: str | None = None) -> list[tuple[int, int]]:
        return [
            (f.subscription.id, self.s.channels[f.channel_id][0])
            for f in self.every(platform)
            if not f.subscription.paused_reason and (kind, when) in _times(f.subscription)
        ]

    def delete(self, channel_id: int) -> None:
        found = self.of_channel(channel_id)
        if found is not None:
            del self.s.subscriptions[found.subscription.id]

    def pause(self, subscription_id: int, reason: str, now: datetime) -> None:
        channel_id, settings, _ = self.s.subscriptions[subscription_id]
        self.s.subscriptions[subscription_id] = (channel_id, settings, reason[:500])

    def schedules(self, platform: str | None = None) -> set[tuple[JobKind, ScheduleKey]]:
        return {
            time
            for f in self.every(platform)
            if not f.subscription.paused_reason
            for time in _times(f.subscription)
        }


def _times(subscription: Subscription) -> set[tuple[JobKind, ScheduleKey]]:
    days, zone = subscription.weekdays, subscription.timezone
    times: set[tuple[JobKind, ScheduleKey]] = {("post", (subscription.hour, subscription.minute, days, zone))}
    if subscription.reveal is not None:
        times.add(("reveal", (*subscription.reveal, days, zone)))
    return times


class MemoryUnitOfWork:
    def __init__(self) -> None:
        self.state = _State()
        self.transactions = 0

    def _run(self, work: Callable[[Repositories], T]) -> T:
        working = copy.deepcopy(self.state)
        result = work(MemoryRepositories(working))
        self.state = working
        self.transactions += 1
        return result

    async def read(self, work: Callable[[Repositories], T]) -> T:
        return self._run(work)

    async def write(self, work: Callable[[Repositories], T]) -> T:
        return self._run(work)
