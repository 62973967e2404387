"""The discord.py client: endpoints, intents, commands and buttons wired to the core."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import discord
import yarl

from adapters.discord.clicks import QuizClicks
from adapters.discord.command_journal import GRACE, CommandJournal, CommandRecovery
from adapters.discord.config import DiscordConfig
from adapters.discord.daily import DailyCommands
from adapters.discord.exam import ExamCommands
from adapters.discord.exchange import NO_MENTIONS
from adapters.discord.poster import DiscordPoster
from adapters.discord.reminders import DiscordReminders
from adapters.discord.slash import QuizCommands
from adapters.discord.tree import QuizTree, build_tree
from adapters.discord.turns import DiscordWork
from bot.app.journal import RequestJournal
from bot.bootstrap import Core


def use_endpoints(config: DiscordConfig) -> None:
    """Point discord.py at another REST base and gateway (a proxy, or a local stand-in)."""
    if config.api_url is not None:
        discord.http.Route.BASE = config.api_url.rstrip("/")
    if config.gateway_url is not None:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)


def intents() -> discord.Intents:
    """Guild events only, for the server names; no privileged intent is needed."""
    return discord.Intents(guilds=True)


@dataclass(frozen=True)
class DiscordBot:
    client: discord.Client
    tree: QuizTree
    in_flight: DiscordWork
    poster: DiscordPoster
    commands: CommandJournal


def build_bot(config: DiscordConfig, core: Core) -> DiscordBot:
    client: discord.Client
    if config.sharded:
        client = discord.AutoShardedClient(
            intents=intents(),
            allowed_mentions=NO_MENTIONS,
            application_id=config.application_id,  # type: ignore[arg-type]  # None: from READY
            shard_count=config.shard_count,
            shard_ids=list(config.shard_ids) or None,  # type: ignore[arg-type]  # None: every shard
        )
    else:
        client = discord.Client(
            intents=intents(),
            allowed_mentions=NO_MENTIONS,
            application_id=config.application_id,  # type: ignore[arg-type]  # None: from READY
        )
    in_flight = DiscordWork(limit=config.queue_limit)
    clicks = QuizClicks(core.quiz, in_flight, core.feedback, config.ack_budget)
    journal = RequestJournal(core.outbox, timedelta(seconds=config.request_lease))
    commands = CommandJournal(journal, config.ack_budget)
    exam = ExamCommands(core.commands, core.exam, in_flight, commands)
    core.outbox.register(CommandRecovery(commands, client), grace=GRACE)
    tree = build_tree(
        client,
        QuizCommands(core.quiz, core.commands, clicks.buttons, in_flight, commands),
        DailyCommands(core.quiz, core.commands, in_flight, commands),
        exam,
    )
    client.add_dynamic_items(*clicks.buttons.kinds)
    client.add_dynamic_items(*exam.kinds)
    poster = DiscordPoster(client, clicks.buttons)
    core.reminders.messengers["discord"] = DiscordReminders(client, poster.pace)
    return DiscordBot(client, tree, in_flight, poster, commands)


async def sync_commands(tree: QuizTree, guild_id: int | None) -> None:
    """Register the commands: for one guild at once when given (development), else globally."""
    if guild_id is None:
        await tree.sync()
        return
    guild = discord.Object(id=guild_id)
    tree.copy_global_to(guild=guild)
    await tree.sync(guild=guild)
