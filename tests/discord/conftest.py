"""Fixtures for the Discord adapter: a stand-in Discord, a small bank, a running client."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Connection

with warnings.catch_warnings():
    # discord.py imports audioop for voice, which Python 3.11 deprecates; nothing here uses voice.
    warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
    import discord

from adapters.discord.component import DiscordComponent
from adapters.discord.config import discord_config
from bot.app.quiz import QuizService
from bot.bank import QuestionBank
from bot.bootstrap import Core, compose
from bot.db.database import Database
from bot.db.migrate import upgrade
from bot.questions import Difficulty, Kind, Question, Topic
from bot.settings import Settings, load_settings
from tests.conftest import FrozenClock
from tests.discord.stand_in import DiscordStandIn

T = TypeVar("T")
ECS_CHOICES = ("Elastic Compute Service", "EC2 Container Storage", "Elastic Container Service", "Cluster Kit")
RIGHT = 2
# A multiple-response question, alone in its topic (ec2): its first two choices are right.
COMPUTE_CHOICES = ("AWS Fargate", "Amazon EC2 instances", "Amazon S3", "AWS Direct Connect", "Route 53")
EXAM: dict[str, Any] = {"domain": 3, "task": "3.3", "verified": date(2026, 12, 6)}
BANK = QuestionBank(
    topics=(
        Topic("ecs", "Amazon ECS", ("elastic-container-service",)),
        Topic("ecr", "Amazon ECR", ("registry",)),
        Topic("eks", "Amazon EKS"),
        Topic("ec2", "Amazon EC2 for containers"),
        Topic("containers-vs-vms", "Containers vs VMs", ("vm",)),
        Topic("lambda", "AWS Lambda"),
    ),
    questions=(
        Question(
            id="ecs-stands-for",
            topics=("ecs",),
            kind=Kind.MULTIPLE_CHOICE,
            difficulty=Difficulty.EASY,
            prompt='What does the "ECS" in Amazon ECS stand for?',
            choices=ECS_CHOICES,
            answers=(ECS_CHOICES[RIGHT],),
            explanation="ECS is the Elastic Container Service.",
            source="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html",
            **EXAM,
        ),
        Question(
            id="vm-stands-for",
            topics=("containers-vs-vms",),
            kind=Kind.FLASHCARD,
            difficulty=Difficulty.EASY,
            prompt='What does "VM" stand for?',
            choices=(),
            answers=("Virtual Machine",),
            explanation="A software-defined computer run by a hypervisor.",
            source="https://aws.amazon.com/what-is/virtualization/",
            accepted=("virtual machines",),
            **EXAM,
        ),
        Question(
            id="ec2-runs-ecs-tasks",
            topics=("ec2",),
            kind=Kind.MULTIPLE_RESPONSE,
            difficulty=Difficulty.MEDIUM,
            prompt="Which provide the compute for Amazon ECS tasks? (Choose TWO.)",
            choices=COMPUTE_CHOICES,
            answers=COMPUTE_CHOICES[:2],
            explanation="Tasks run on Fargate or on EC2 instances; the others store, connect or resolve.",
            source="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/launch_types.html",
            **EXAM,
        ),
    ),
)


T = TypeVar("T")


class StallableDatabase(Database):
    """A database whose transactions wait while `open` is cleared, like a stalled server: both
    ways in (`read` and `write`) wait."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.open = asyncio.Event()
        self.open.set()
        self.stalled = asyncio.Event()
        """Set when a transaction had to wait: proof that the code under test met the stall."""

    async def _pass(self) -> None:
        if not self.open.is_set():
            self.stalled.set()
        await self.open.wait()

    async def read(self, work: Callable[[Connection], T]) -> T:
        await self._pass()
        return await super().read(work)

    async def write(self, work: Callable[[Connection], T]) -> T:
        await self._pass()
        return await super().write(work)


async def deferred_once_released(
    stand_in: DiscordStandIn, database: StallableDatabase, interaction: dict[str, Any], budget: float
) -> tuple[Any, float]:
    """Dispatch `interaction` with `database` stalled: Discord hears nothing while the journal
    row waits; once the database answers, the deferral comes. Its callback, and when the
    database was let go."""
    database.open.clear()
    await stand_in.dispatch("INTERACTION_CREATE", interaction)
    await asyncio.wait_for(database.stalled.wait(), budget)
    assert stand_in.callbacks(interaction) == []

    released = stand_in.now()
    database.open.set()
    (callback,) = await stand_in.wait_for(lambda: stand_in.callbacks(interaction), budget)
    return callback, released


@pytest.fixture(autouse=True)
def restore_discord_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapter points discord.py at the stand-in; put the real endpoints back afterwards."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    gateway = discord.gateway.DiscordWebSocket
    monkeypatch.setattr(gateway, "DEFAULT_GATEWAY", gateway.DEFAULT_GATEWAY)


@pytest.fixture
async def stand_in() -> AsyncIterator[DiscordStandIn]:
    server = DiscordStandIn()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "studybot.db"


@pytest.fixture
async def quiz_database(database_path: Path) -> AsyncIterator[StallableDatabase]:
    database = StallableDatabase(f"sqlite:///{database_path}")
    await upgrade(database)
    yield database
    await database.dispose()


@pytest.fixture
def quiz_core(quiz_database: StallableDatabase, clock: FrozenClock) -> Core:
    return compose(quiz_database, BANK, clock)


@pytest.fixture
def quiz_service(quiz_core: Core) -> QuizService:
    return quiz_core.quiz


def stand_in_settings(stand_in: DiscordStandIn, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "discord_token": "stand-in-token",
        "discord_application_id": None,
        "discord_guild_id": None,
        "discord_api_url": stand_in.api_url,
        "discord_gateway_url": stand_in.gateway_url,
        "discord_shard_count": None,
        "discord_shard_ids": None,
        **overrides,
    }
    return load_settings(**values)


@asynccontextmanager
async def running(
    stand_in: DiscordStandIn, settings: Settings, core: Core
) -> AsyncIterator[DiscordComponent]:
    """The Discord component started and identified to the stand-in; stopped on the way out.
    Its question of the day goes through `core.daily`, which posts with `component.poster`.

    Events sent after the IDENTIFY reach the client after the guild it belongs to, so tests need
    not wait for discord.py's ready event (which waits two seconds for further guilds).
    """
    identified = len(stand_in.identifies)
    component = DiscordComponent(discord_config(settings), core)
    core.daily.posters[component.name] = component.poster
    await component.start()
    try:
        await stand_in.wait_for(lambda: len(stand_in.identifies) > identified)
        yield component
    finally:
        await component.stop(asyncio.get_running_loop().time() + 10)


@pytest.fixture
async def discord_bot(stand_in: DiscordStandIn, quiz_core: Core) -> AsyncIterator[DiscordComponent]:
    async with running(stand_in, stand_in_settings(stand_in), quiz_core) as component:
        yield component
