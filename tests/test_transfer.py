"""`studybot db export` / `db import`: a populated SQLite database moved to each backend, losslessly."""

from __future__ import annotations

import asyncio
import io
import json
import os
import random
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation

from adapters.slack.installs import DatabaseInstallationStore
from bot.app.quiz import QuizService
from bot.bank import QuestionBank
from bot.bootstrap import Core, compose
from bot.daily.models import Reveal
from bot.daily.service import PostResult
from bot.db.database import Database
from bot.db.migrate import upgrade
from bot.db.tables import metadata
from bot.db.transfer import TransferError, export_database, import_database
from bot.grammar import DailyOn, parse
from bot.models import Actor, Period, Place, Posted, QuestionView, Scope
from bot.questions import Kind
from bot.recall import grade_for
from tests.conftest import FrozenClock

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 10, 19, 9, 30, tzinfo=UTC)
SLACK = [Actor("slack", "T1", f"U{n}", f"person {n}", "Cloud Club") for n in range(6)]
DISCORD = [Actor("discord", "G1", f"{n}", f"gamer {n}") for n in range(100, 103)]
TEAMS = {"U0": "Blue", "U1": "Blue", "U2": "Red", "U3": "red", "U4": "Green", "100": "Ops"}
PLACES = [Place("slack", "T1"), Place("discord", "G1")]
POPULATED = ["workspaces", "users", "channels", "teams", "team_members", "question_instances", "answers"]
INSTALLATION = Installation(
    app_id="A1",
    team_id="T1",
    team_name="Cloud Club",
    bot_token="xoxb-not-a-real-token",
    bot_id="B1",
    bot_user_id="UBOT",
    bot_scopes=["commands", "chat:write"],
    user_id="U0",
    installed_at=START.timestamp() + 0.25,
)


def make_core(database: Database, bank: QuestionBank, clock: FrozenClock) -> Core:
    return compose(database, bank, clock, "Europe/Berlin", rng=random.Random(11))


async def answer(service: QuizService, bank: QuestionBank, who: Actor, instance: int, right: bool) -> None:
    question = bank.by_id[(await service.question_view(instance)).question_id]
    if question.kind is Kind.FLASHCARD:
        await service.answer_self_grade(who, instance, grade_for(right))
    else:
        assert question.answer_index is not None
        index = question.answer_index if right else (question.answer_index + 1) % len(question.choices)
        await service.answer_choice(who, instance, index)


class DailyPoster:
    """The chat side of the question of the day: remembers which instances it was asked to post."""

    def __init__(self) -> None:
        self.posted: list[int] = []

    async def post_question(self, target: Place, question: QuestionView) -> str:
        self.posted.append(question.instance_id)
        return f"msg-{question.instance_id}"

    async def post_reveal(self, target: Place, reveal: Reveal) -> None:
        assert reveal is not None


async def populate(database: Database, bank: QuestionBank) -> list[datetime]:
    """Six weeks of play in two workspaces: teams, a team change, questions of the day (answered
    on time and after their reveal), repeats, a Slack installation. Returns the moments visited."""
    clock = FrozenClock(START)
    core = make_core(database, bank, clock)
    await DatabaseInstallationStore("client-1", database).async_save(INSTALLATION)
    poster = DailyPoster()
    daily = core.daily
    daily.posters["slack"] = poster
    command = parse("daily on at 09:00 Europe/Berlin")
    assert isinstance(command, DailyOn)
    report = await daily.subscribe(replace(SLACK[0], is_admin=True), "C-daily", command)
    assert report.subscription is not None
    for who in SLACK + DISCORD:
        if who.user in TEAMS:
            await core.teams.join_team(who, TEAMS[who.user])
    moments = []
    for day in range(0, 45, 4):
        assert await daily.post_due(report.subscription.id, clock.now()) is PostResult.POSTED
        if len(poster.posted) > 1:
            await answer(core.quiz, bank, SLACK[5], poster.posted[-2], True)
        for n, who in enumerate(SLACK[:4]):
            await answer(core.quiz, bank, who, poster.posted[-1], (n + day) % 2 == 0)
        for players in [SLACK, DISCORD] if day % 8 == 0 else [SLACK]:
            for turn, asker in enumerate(players[:3]):
                result = await core.quiz.ask(asker, f"C{turn % 2}", ["ecs", "docker", None][turn])
                assert isinstance(result, Posted)
                instance = result.question.instance_id
                for n, who in enumerate(players):
                    await answer(core.quiz, bank, who, instance, (n + day + turn) % 3 != 0)
                await answer(core.quiz, bank, players[0], instance, False)
                clock.advance(minutes=17)
        if day == 20:
            await core.teams.join_team(SLACK[1], "Red")
            await core.teams.leave_team(SLACK[4])
        moments.append(clock.now())
        clock.advance(days=4, hours=3)
    return moments


async def snapshot(database: Database, bank: QuestionBank, moments: list[datetime]) -> list[object]:
    """Every leaderboard (people and teams, week, month, all) and every user's stats, at each moment."""
    clock = FrozenClock(START)
    core = make_core(database, bank, clock)
    seen: list[object] = []
    for moment in moments:
        clock.moment = moment
        for place in PLACES:
            for period in Period:
                for scope in Scope:
                    seen.append(await core.standings.leaderboard(place, period, scope, limit=100))
            seen.append(await core.teams.teams(place))
        for who in SLACK + DISCORD:
            seen.append(await core.standings.stats(who))
    return seen


async def dump(database: Database) -> str:
    out = io.StringIO()
    await export_database(database, out)
    return out.getvalue()


@pytest.fixture
async def source(tmp_path: Path, bank: QuestionBank) -> AsyncIterator[tuple[Database, list[datetime]]]:
    database = Database(f"sqlite:///{tmp_path / 'source.db'}")
    await upgrade(database)
    moments = await populate(database, bank)
    yield database, moments
    await database.dispose()


async def test_a_community_moves_to_each_backend_without_loss(
    source: tuple[Database, list[datetime]], database: Database, bank: QuestionBank
) -> None:
    origin, moments = source
    exported = await dump(origin)
    counts = await import_database(database, io.StringIO(exported))

    assert set(metadata.tables) < set(counts) and counts["answers"] > 300 and counts["team_totals"] > 20
    assert all(counts[name] for name in POPULATED) and counts["slack_installations"] == 1
    assert counts["subscriptions"] == 1
    before, after = await snapshot(origin, bank, moments), await snapshot(database, bank, moments)
    assert any(board.rows for board in before if hasattr(board, "rows"))
    assert after == before
    assert await dump(database) == exported
    installs = DatabaseInstallationStore("client-1", database)
    bot = await installs.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == INSTALLATION.bot_token
    assert bot.installed_at == INSTALLATION.installed_at

    clock = FrozenClock(moments[-1])
    core = make_core(database, bank, clock)
    fresh = await core.quiz.ask(Actor("slack", "T9", "U9", "newcomer"), "C9", "ecs")
    assert isinstance(fresh, Posted) and fresh.question.instance_id == counts["question_instances"] + 1
    await answer(core.quiz, bank, Actor("slack", "T9", "U9", "newcomer"), fresh.question.instance_id, True)


async def test_the_export_is_json_lines_with_a_header(source: tuple[Database, list[datetime]]) -> None:
    lines = [json.loads(line) for line in (await dump(source[0])).splitlines()]
    assert lines[0] == {"format": "studybot-export", "version": 1, "revision": lines[0]["revision"]}
    tables = [line["table"] for line in lines[1:]]
    assert tables.index("workspaces") < tables.index("users") < tables.index("answers")
    answer_row = next(line["row"] for line in lines if line.get("table") == "answers")
    assert isinstance(answer_row["correct"], bool) and isinstance(answer_row["late"], bool)
    assert datetime.fromisoformat(answer_row["answered_at"]).tzinfo is not None
    daily = next(line["row"] for line in lines if line.get("row", {}).get("daily_date"))
    assert date.fromisoformat(daily["daily_date"]) >= START.date()
    assert any(line["row"]["late"] for line in lines if line.get("table") == "answers")
    installation = next(line["row"] for line in lines if line.get("table") == "slack_installations")
    assert installation["bot_token"] == INSTALLATION.bot_token


async def test_import_refuses_a_database_that_holds_data(
    source: tuple[Database, list[datetime]], database: Database, bank: QuestionBank
) -> None:
    exported = await dump(source[0])
    core = make_core(database, bank, FrozenClock(START))
    await core.teams.join_team(SLACK[0], "Existing")
    before = await dump(database)
    with pytest.raises(TransferError, match=r"already holds data \(1 rows in workspaces\)"):
        await import_database(database, io.StringIO(exported))
    assert await dump(database) == before


async def test_import_refuses_another_schema_revision(database: Database) -> None:
    header = json.dumps({"format": "studybot-export", "version": 1, "revision": "0000"})
    with pytest.raises(TransferError, match="the file is at schema revision 0000 but the database is at"):
        await import_database(database, [header + "\n"])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"table": "nope", "row": {}}', "line 2: unknown table 'nope'"),
        ('{"table": "channels", "row": {"id": 1}}', r"line 2: channels row has missing columns"),
        ('{"table": "channels", "row": {"id": "1", "workspace_id": 1, "external_id": "C"}}', "not a int"),
        ("[1, 2", "line 2: not JSON"),
    ],
)
async def test_a_broken_file_is_refused_with_its_line(database: Database, line: str, message: str) -> None:
    revision = json.loads((await dump(database)).splitlines()[0])["revision"]
    header = json.dumps({"format": "studybot-export", "version": 1, "revision": revision})
    with pytest.raises(TransferError, match=message):
        await import_database(database, [header, line])


async def test_an_inconsistent_file_is_rolled_back_whole(database: Database) -> None:
    empty = await dump(database)
    workspace = {
        "id": 1,
        "platform": "slack",
        "external_id": "T1",
        "name": "",
        "timezone": "UTC",
        "created_at": START.isoformat(),
    }
    orphan = {"id": 1, "workspace_id": 2, "external_id": "C1"}
    lines = [
        empty.splitlines()[0],
        json.dumps({"table": "workspaces", "row": workspace}),
        json.dumps({"table": "channels", "row": orphan}),
    ]
    with pytest.raises(TransferError, match="the file's rows do not fit together"):
        await import_database(database, lines)
    assert await dump(database) == empty


async def test_a_file_that_is_not_an_export_is_refused(database: Database) -> None:
    with pytest.raises(TransferError, match="not a Studybot export"):
        await import_database(database, ['{"hello": 1}\n'])


async def studybot(*args: str, database: Path) -> tuple[int, str, str]:
    prefixes = ("STUDYBOT_", "SLACK_", "DISCORD_")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    environment |= {"STUDYBOT_DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "db",
        *args,
        cwd=database.parent,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_the_command_line_exports_and_imports(
    source: tuple[Database, list[datetime]], tmp_path: Path
) -> None:
    file = tmp_path / "community.jsonl"
    code, out, err = await studybot("export", str(file), database=tmp_path / "source.db")
    assert (code, err) == (0, "") and out.startswith("Exported ") and "rows from" in out
    assert file.stat().st_mode & 0o777 == 0o600

    code, out, err = await studybot("import", str(file), database=tmp_path / "copy.db")
    assert (code, err) == (0, "") and out.startswith("Imported ")
    copy = Database(f"sqlite:///{tmp_path / 'copy.db'}")
    try:
        assert await dump(copy) == file.read_text(encoding="utf-8")
    finally:
        await copy.dispose()

    code, out, err = await studybot("import", str(file), database=tmp_path / "copy.db")
    assert code == 1 and out == ""
    assert err.startswith("studybot: db import: the database already holds data") and err.count("\n") == 1
