"""Queries, one function each, on a connection the caller's transaction owns.

Every statement is plain SQLAlchemy Core that SQLite and PostgreSQL both run; the only
dialect-specific construct is the upsert, whose `insert` is taken from the connection's dialect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, and_, bindparam, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.tables import (
    answers,
    channels,
    question_instances,
    subscriptions,
    team_members,
    team_totals,
    teams,
    user_totals,
    users,
    workspaces,
)


def _insert(connection: Connection | AsyncConnection, table: Table) -> Any:
    """The dialect's own INSERT, which knows ON CONFLICT on both SQLite and PostgreSQL."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _get_or_create(
    connection: Connection,
    table: Table,
    keys: Mapping[str, Any],
    defaults: Mapping[str, Any],
    refresh: Mapping[str, Any] | None = None,
) -> Row[Any]:
    """The row with these unique `keys`, inserted with `defaults` if missing; `refresh` columns
    are overwritten when they changed. Safe when two processes create the same row at once."""
    where = and_(*(table.c[k] == v for k, v in keys.items()))
    row = connection.execute(select(table).where(where)).first()
    if row is None:
        statement = _insert(connection, table).values({**keys, **defaults, **(refresh or {})})
        connection.execute(statement.on_conflict_do_nothing(index_elements=list(keys)))
        row = connection.execute(select(table).where(where)).one()
    elif refresh and any(getattr(row, k) != v for k, v in refresh.items() if v):
        changed = {k: v for k, v in refresh.items() if v}
        connection.execute(update(table).where(where).values(changed))
        row = connection.execute(select(table).where(where)).one()
    return row


def workspace(
    connection: Connection, platform: str, external_id: str, name: str, timezone: str, now: datetime
) -> Row[Any]:
    return _get_or_create(
        connection,
        workspaces,
        {"platform": platform, "external_id": external_id},
        {"timezone": timezone, "created_at": now},
        {"name": name},
    )


FIND_WORKSPACE = select(workspaces).where(
    workspaces.c.platform == bindparam("platform"), workspaces.c.external_id == bindparam("external_id")
)


async def find_workspace(connection: AsyncConnection, platform: str, external_id: str) -> Row[Any] | None:
    parameters = {"platform": platform, "external_id": external_id}
    return (await connection.execute(FIND_WORKSPACE, parameters)).first()


def user(
    connection: Connection, workspace_id: int, external_id: str, display_name: str, now: datetime
) -> Row[Any]:
    return _get_or_create(
        connection,
        users,
        {"workspace_id": workspace_id, "external_id": external_id},
        {"created_at": now, "display_name": external_id},
        # A platform event that carries no name (a Slack DM, App Home) leaves the known one.
        {"display_name": display_name} if display_name else None,
    )


async def find_user(connection: AsyncConnection, workspace_id: int, external_id: str) -> Row[Any] | None:
    query = select(users).where(users.c.workspace_id == workspace_id, users.c.external_id == external_id)
    return (await connection.execute(query)).first()


def channel(connection: Connection, workspace_id: int, external_id: str) -> Row[Any]:
    return _get_or_create(
        connection, channels, {"workspace_id": workspace_id, "external_id": external_id}, {}
    )


async def find_channel(
    connection: AsyncConnection, platform: str, workspace: str, channel: str
) -> int | None:
    query = (
        select(channels.c.id)
        .join(workspaces, workspaces.c.id == channels.c.workspace_id)
        .where(
            workspaces.c.platform == platform,
            workspaces.c.external_id == workspace,
            channels.c.external_id == channel,
        )
    )
    return (await connection.execute(query)).scalar_one_or_none()


def insert_instance(
    connection: Connection,
    *,
    channel_id: int,
    question_id: str,
    mode: str,
    now: datetime,
    posted_by: int | None,
    daily_date: date | None = None,
    topic_id: str | None = None,
) -> int:
    result = connection.execute(
        question_instances.insert()
        .values(
            channel_id=channel_id,
            question_id=question_id,
            mode=mode,
            posted_at=now,
            posted_by=posted_by,
            daily_date=daily_date,
            topic_id=topic_id,
        )
        .returning(question_instances.c.id)
    )
    return int(result.scalar_one())


@dataclass(frozen=True)
class InstanceRow:
    id: int
    channel_id: int
    question_id: str
    mode: str
    workspace_id: int
    platform: str
    workspace_external_id: str
    revealed_at: datetime | None
    answer_count: int
    daily_date: date | None
    topic_id: str | None


INSTANCE = (
    select(
        question_instances.c.id,
        question_instances.c.channel_id,
        question_instances.c.question_id,
        question_instances.c.mode,
        channels.c.workspace_id,
        workspaces.c.platform,
        workspaces.c.external_id.label("workspace_external_id"),
        question_instances.c.revealed_at,
        question_instances.c.answer_count,
        question_instances.c.daily_date,
        question_instances.c.topic_id,
    )
    .join(channels, channels.c.id == question_instances.c.channel_id)
    .join(workspaces, workspaces.c.id == channels.c.workspace_id)
    .where(question_instances.c.id == bindparam("instance"))
)


async def instance(connection: AsyncConnection, instance_id: int) -> InstanceRow | None:
    row = (await connection.execute(INSTANCE, {"instance": instance_id})).first()
    return None if row is None else InstanceRow(**row._mapping)


def set_message_ref(connection: Connection, instance_id: int, ref: str) -> None:
    connection.execute(
        update(question_instances).where(question_instances.c.id == instance_id).values(message_ref=ref)
    )


# How far back `last_seen` looks, in a channel's posts and in a user's answers.
RECENT_POSTS = 500


def last_seen(
    connection: Connection, channel_id: int, user_id: int | None, question_ids: Sequence[str]
) -> dict[str, datetime]:
    """When each question was last posted in the channel or answered by the user, among the
    channel's latest posts and the user's latest answers, of every topic: `RECENT_POSTS`, or
    twice the questions if that is more. A question of the pool seen only before those counts as
    not seen recently; the pool is still used up before anything repeats (it fits in the window
    twice), and asking costs the same after years of history, whatever else the channel asks."""
    window = max(RECENT_POSTS, 2 * len(question_ids))
    posted = (
        select(question_instances.c.question_id, question_instances.c.posted_at.label("seen_at"))
        .where(question_instances.c.channel_id == channel_id)
        .order_by(question_instances.c.id.desc())
        .limit(window)
    )
    answered = (
        select(question_instances.c.question_id, answers.c.answered_at.label("seen_at"))
        .join(answers, answers.c.instance_id == question_instances.c.id)
        .where(answers.c.user_id == user_id)
        .order_by(answers.c.id.desc())
        .limit(window)
    )
    seen: dict[str, datetime] = {}
    for recent in (posted, answered) if user_id is not None else (posted,):
        latest = recent.subquery()
        query = (
            select(latest.c.question_id, func.max(latest.c.seen_at))
            .where(latest.c.question_id.in_(question_ids))
            .group_by(latest.c.question_id)
        )
        for question_id, when in connection.execute(query):
            seen[question_id] = max(seen.get(question_id, when), when)
    return seen


async def existing_answer(connection: AsyncConnection, instance_id: int, user_id: int) -> Row[Any] | None:
    query = select(answers).where(answers.c.instance_id == instance_id, answers.c.user_id == user_id)
    return (await connection.execute(query)).first()


async def team_of(connection: AsyncConnection, user_id: int) -> Row[Any] | None:
    query = (
        select(teams)
        .join(team_members, team_members.c.team_id == teams.c.id)
        .where(team_members.c.user_id == user_id)
    )
    return (await connection.execute(query)).first()


def _top(scope_table: Table) -> Any:
    """The best `:limit` totals of workspace `:workspace` in period `:period_key`, with display
    names.

    The order (points, correct answers, then the owner's id, all descending) is exactly the
    board index's, read backwards: the database stops after `limit` index entries however many
    people are tied, so the cost does not grow with the workspace's history.
    """
    if scope_table is user_totals:
        owner, name = user_totals.c.user_id, users.c.display_name
        joined = user_totals.join(users, users.c.id == user_totals.c.user_id)
    else:
        owner, name = team_totals.c.team_id, teams.c.name
        joined = team_totals.join(teams, teams.c.id == team_totals.c.team_id)
    return (
        select(name.label("name"), scope_table.c.points, scope_table.c.answers, scope_table.c.correct)
        .select_from(joined)
        .where(
            scope_table.c.workspace_id == bindparam("workspace"),
            scope_table.c.period_key == bindparam("period_key"),
        )
        .order_by(scope_table.c.points.desc(), scope_table.c.correct.desc(), owner.desc())
        .limit(bindparam("limit"))
    )


TOP_PEOPLE = _top(user_totals)
TOP_TEAMS = _top(team_totals)


async def totals_of(
    connection: AsyncConnection, table: Table, owner_column: str, owner_id: int, period_keys: Sequence[str]
) -> dict[str, Row[Any]]:
    query = select(table).where(table.c[owner_column] == owner_id, table.c.period_key.in_(period_keys))
    return {row.period_key: row for row in await connection.execute(query)}


async def answers_by_question(connection: AsyncConnection, user_id: int) -> list[Row[Any]]:
    query = (
        select(
            question_instances.c.question_id,
            func.count().label("answers"),
            func.sum(case((answers.c.correct, 1), else_=0)).label("correct"),
        )
        .join(answers, answers.c.instance_id == question_instances.c.id)
        .where(answers.c.user_id == user_id, answers.c.late.is_(False))
        .group_by(question_instances.c.question_id)
    )
    return list(await connection.execute(query))


async def find_team(connection: AsyncConnection, workspace_id: int, name_key: str) -> Row[Any] | None:
    query = select(teams).where(teams.c.workspace_id == workspace_id, teams.c.name_key == name_key)
    return (await connection.execute(query)).first()


async def create_team(connection: AsyncConnection, workspace_id: int, name: str, now: datetime) -> Row[Any]:
    return await connection.run_sync(
        _get_or_create,
        teams,
        {"workspace_id": workspace_id, "name_key": name.casefold()},
        {"name": name, "created_at": now},
    )


async def set_team(connection: AsyncConnection, user_id: int, team_id: int | None, now: datetime) -> None:
    await connection.execute(team_members.delete().where(team_members.c.user_id == user_id))
    if team_id is not None:
        await connection.execute(
            team_members.insert().values(user_id=user_id, team_id=team_id, joined_at=now)
        )


async def list_teams(connection: AsyncConnection, workspace_id: int) -> list[Row[Any]]:
    members = (
        select(team_members.c.team_id, func.count().label("members"))
        .group_by(team_members.c.team_id)
        .subquery()
    )
    query = (
        select(
            teams.c.name,
            func.coalesce(members.c.members, 0).label("members"),
            func.coalesce(team_totals.c.points, 0).label("points"),
        )
        .select_from(
            teams.outerjoin(members, members.c.team_id == teams.c.id).outerjoin(
                team_totals, and_(team_totals.c.team_id == teams.c.id, team_totals.c.period_key == "all")
            )
        )
        .where(teams.c.workspace_id == workspace_id)
        .order_by(func.coalesce(team_totals.c.points, 0).desc(), teams.c.name)
    )
    return list(await connection.execute(query))


async def finish_post(
    connection: AsyncConnection, instance_id: int, state: str, now: datetime, message_ref: str | None = None
) -> None:
    values: dict[str, Any] = {"post_state": state, "lease_until": None}
    if message_ref is not None:
        values.update(message_ref=message_ref, posted_at=now)
    await connection.execute(
        update(question_instances).where(question_instances.c.id == instance_id).values(values)
    )


async def stale_claims(connection: AsyncConnection, now: datetime) -> list[Row[Any]]:
    """Daily claims whose claimer died or gave up before the platform took the post."""
    query = select(
        question_instances.c.id, question_instances.c.channel_id, question_instances.c.scheduled_for
    ).where(question_instances.c.post_state == "pending", question_instances.c.lease_until < now)
    return list(await connection.execute(query))


async def answers_with_teams(connection: AsyncConnection, instance_id: int) -> list[Row[Any]]:
    """Every scored answer of an instance, first first, with the user's name and team."""
    query = (
        select(users.c.display_name, answers.c.correct, teams.c.name.label("team"))
        .select_from(
            answers.join(users, users.c.id == answers.c.user_id).outerjoin(
                teams, teams.c.id == answers.c.team_id
            )
        )
        .where(answers.c.instance_id == instance_id, answers.c.late.is_(False))
        .order_by(answers.c.answered_at, answers.c.id)
    )
    return list(await connection.execute(query))


async def upsert_subscription(
    connection: AsyncConnection, channel_id: int, values: Mapping[str, Any]
) -> None:
    statement = _insert(connection, subscriptions).values({"channel_id": channel_id, **values})
    await connection.execute(
        statement.on_conflict_do_update(index_elements=["channel_id"], set_=dict(values))
    )


def _subscription_query() -> Any:
    return select(
        subscriptions,
        workspaces.c.platform,
        workspaces.c.external_id.label("workspace_external_id"),
        channels.c.external_id.label("channel_external_id"),
    ).select_from(
        subscriptions.join(channels, channels.c.id == subscriptions.c.channel_id).join(
            workspaces, workspaces.c.id == channels.c.workspace_id
        )
    )


async def subscription_rows(connection: AsyncConnection) -> list[Row[Any]]:
    return list(await connection.execute(_subscription_query().order_by(subscriptions.c.id)))


async def subscription_of_channel(connection: AsyncConnection, channel_id: int) -> Row[Any] | None:
    query = _subscription_query().where(subscriptions.c.channel_id == channel_id)
    return (await connection.execute(query)).first()


async def delete_subscription(connection: AsyncConnection, channel_id: int) -> None:
    await connection.execute(subscriptions.delete().where(subscriptions.c.channel_id == channel_id))


async def pause_subscription(
    connection: AsyncConnection, subscription_id: int, reason: str, now: datetime
) -> None:
    await connection.execute(
        update(subscriptions)
        .where(subscriptions.c.id == subscription_id)
        .values(paused_reason=reason[:500], paused_at=now)
    )


# -- the question of the day in bulk (bot.daily.fanout) -------------------------------------


async def subscription_rows_in(
    connection: AsyncConnection, subscription_ids: Sequence[int]
) -> list[Row[Any]]:
    query = _subscription_query().where(subscriptions.c.id.in_(subscription_ids))
    return list(await connection.execute(query.order_by(subscriptions.c.id)))


async def posted_history(
    connection: AsyncConnection, channel_ids: Sequence[int]
) -> dict[int, dict[str, datetime]]:
    """When each question was last posted, per channel, for many channels in one query."""
    query = (
        select(
            question_instances.c.channel_id,
            question_instances.c.question_id,
            func.max(question_instances.c.posted_at),
        )
        .where(question_instances.c.channel_id.in_(channel_ids))
        .group_by(question_instances.c.channel_id, question_instances.c.question_id)
    )
    seen: dict[int, dict[str, datetime]] = {}
    for channel_id, question_id, when in await connection.execute(query):
        seen.setdefault(channel_id, {})[question_id] = when
    return seen


async def claim_dailies(connection: AsyncConnection, claims: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """Claim many channels' daily posts in one statement: {channel id: instance id} for the
    claims won. The unique (channel, daily date) constraint decides between racers, so two
    processes cannot both win; rows come sorted by channel so that racing PostgreSQL
    transactions lock in one order."""
    rows = sorted(
        ({**claim, "mode": "daily", "post_state": "pending"} for claim in claims),
        key=lambda row: int(row["channel_id"]),
    )
    # Rows as parameters, not as VALUES of the statement: its compiled form is then cached, and
    # SQLAlchemy's "insertmanyvalues" still sends them as a few multi-row statements.
    statement = (
        _insert(connection, question_instances)
        .on_conflict_do_nothing(index_elements=["channel_id", "daily_date"])
        .returning(question_instances.c.channel_id, question_instances.c.id)
    )
    won = await connection.execute(statement, rows)
    return {channel_id: instance_id for channel_id, instance_id in won}


async def finish_posts(connection: AsyncConnection, posted: Sequence[tuple[int, str]], now: datetime) -> None:
    """Mark many daily claims posted, each with its platform message reference."""
    statement = (
        update(question_instances)
        .where(question_instances.c.id == bindparam("instance"))
        .values(post_state="posted", lease_until=None, message_ref=bindparam("ref"), posted_at=now)
    )
    await connection.execute(statement, [{"instance": i, "ref": ref} for i, ref in posted])


async def take_leases(
    connection: AsyncConnection, instance_ids: Sequence[int], now: datetime, lease_until: datetime
) -> list[int]:
    """Take over many expired claims at once; the ids this caller won."""
    result = await connection.execute(
        update(question_instances)
        .where(
            question_instances.c.id.in_(instance_ids),
            question_instances.c.post_state == "pending",
            question_instances.c.lease_until < now,
        )
        .values(lease_until=lease_until)
        .returning(question_instances.c.id)
    )
    return sorted(result.scalars())


async def extend_leases(
    connection: AsyncConnection, instance_ids: Sequence[int], lease_until: datetime
) -> None:
    """Keep claims that are still queued for sending from looking abandoned."""
    await connection.execute(
        update(question_instances)
        .where(question_instances.c.id.in_(instance_ids), question_instances.c.post_state == "pending")
        .values(lease_until=lease_until)
    )


async def take_reveals(
    connection: AsyncConnection, channel_ids: Sequence[int], before: datetime, now: datetime
) -> dict[int, list[int]]:
    """Mark revealed the posted daily questions of these channels that came before `before`;
    {channel id: instance ids, oldest first} of those this caller marked (each goes to one)."""
    result = await connection.execute(
        update(question_instances)
        .where(
            question_instances.c.channel_id.in_(channel_ids),
            question_instances.c.mode == "daily",
            question_instances.c.post_state == "posted",
            question_instances.c.revealed_at.is_(None),
            question_instances.c.scheduled_for < before,
        )
        .values(revealed_at=now)
        .returning(question_instances.c.channel_id, question_instances.c.id, question_instances.c.daily_date)
    )
    taken: dict[int, list[tuple[date, int]]] = {}
    for channel_id, instance_id, daily_date in result:
        taken.setdefault(channel_id, []).append((daily_date, instance_id))
    return {channel: [i for _, i in sorted(rows)] for channel, rows in taken.items()}
