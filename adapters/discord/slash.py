"""Slash commands carried out: each is journaled (`command_journal`, within the ack budget) and
deferred before its work touches the database, then replies; a command whose process died is
carried out from its journal row by the same body of work, replying through followups.

Questions, leaderboards and team lists are for the channel; everything else only for the user.
"""

from __future__ import annotations

import math

import discord
from discord import app_commands

from adapters.discord import people, render
from adapters.discord.buttons import Buttons
from adapters.discord.command_journal import CommandJournal, Followups, Options
from adapters.discord.exchange import Exchange
from adapters.discord.reports import reports_embed
from adapters.discord.turns import DiscordWork
from bot.app.commands import Commands, DashboardLink, TeamList, TeamManaged, TopicList
from bot.app.quiz import QuizService
from bot.grammar import (
    Ask,
    DeleteTeam,
    Invalid,
    JoinTeam,
    LeaveTeam,
    ListTeams,
    RenameTeam,
    ShowDashboard,
    ShowLeaderboard,
    ShowStats,
    ShowTopics,
    validate_team_name,
)
from bot.models import Leaderboard, NoQuestions, Period, Posted, Scope, TeamChange, TopicNotFound, UserStats
from bot.reports import ReportList, ShowReports

AUTOCOMPLETE_NAME_MAX = 100


class QuizCommands:
    def __init__(
        self,
        quiz: QuizService,
        commands: Commands,
        buttons: Buttons,
        in_flight: DiscordWork,
        journal: CommandJournal,
    ) -> None:
        self.quiz = quiz
        self.commands = commands
        self.buttons = buttons
        self.in_flight = in_flight
        self.journal = journal
        journal.register("quiz", self.post_question, public=True)
        journal.register("leaderboard", self.post_leaderboard, public=True)
        journal.register("stats", self.show_stats, public=False)
        journal.register("team join", self.change_team, public=False)
        journal.register("team create", self.change_team, public=False)
        journal.register("team rename", self.manage, public=False)
        journal.register("team delete", self.manage, public=False)
        journal.register("team leave", self.leave, public=False)
        journal.register("team list", self.post_teams, public=True)
        journal.register("dashboard", self.show_dashboard, public=False)
        journal.register("reports", self.show_reports, public=False)

    async def complete_topic(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        """The server's topics (the shipped bank's and its own decks') nearest to what is typed."""
        return [
            app_commands.Choice(name=f"{t.id} · {t.name}"[:AUTOCOMPLETE_NAME_MAX], value=t.id)
            for t in await self.quiz.complete_topic(people.place(interaction), typed)
        ]

    async def ask(self, interaction: discord.Interaction, topic: str | None) -> None:
        """A question for the channel: journaled before its defer (`command_journal`), as every
        command deferred here is."""
        await self.journal.run(interaction, "quiz", {"topic": topic}, self.in_flight)

    async def post_question(self, replies: Exchange | Followups, options: Options) -> None:
        """`/quiz [topic]`'s work, live or carried out after a crash."""
        topic = options.get("topic")
        result = await replies.execute(self.commands, Ask(topic if isinstance(topic, str) else None))
        match result:
            case Posted(view):
                message = await replies.send(
                    ephemeral=False, embed=render.question(view), view=self.buttons.question(view)
                )
                assert message is not None
                await self.quiz.set_message_ref(view.instance_id, str(message.id))
            case TopicNotFound():
                await replies.refuse(render.not_found(result))
            case NoQuestions():
                await replies.refuse(render.no_questions(result))

    async def topics(self, interaction: discord.Interaction) -> None:
        exchange = Exchange(interaction)
        async with exchange.guard("topics"):
            reply = await exchange.execute(self.commands, ShowTopics())
            if isinstance(reply, TopicList):
                await exchange.send(ephemeral=True, embed=render.topics(reply))

    async def help(self, interaction: discord.Interaction) -> None:
        exchange = Exchange(interaction)
        async with exchange.guard("help"):
            await exchange.send(ephemeral=True, embed=render.help_())

    async def leaderboard(self, interaction: discord.Interaction, period: Period, scope: Scope) -> None:
        options = {"period": period.value, "scope": scope.value}
        await self.journal.run(interaction, "leaderboard", options, self.in_flight)

    async def post_leaderboard(self, replies: Exchange | Followups, options: Options) -> None:
        command = ShowLeaderboard(Period(str(options["period"])), Scope(str(options["scope"])))
        board = await replies.execute(self.commands, command)
        if isinstance(board, Leaderboard):
            await replies.send(ephemeral=False, embed=render.leaderboard(board))

    async def stats(self, interaction: discord.Interaction) -> None:
        await self.journal.run(interaction, "stats", {}, self.in_flight)

    async def show_stats(self, replies: Exchange | Followups, _options: Options) -> None:
        stats = await replies.execute(self.commands, ShowStats())
        if isinstance(stats, UserStats):
            await replies.send(ephemeral=True, embed=render.stats(stats))

    async def join_team(self, interaction: discord.Interaction, name: str, create: bool = False) -> None:
        action = "team create" if create else "team join"
        valid = validate_team_name(name)
        if isinstance(valid, Invalid):
            await self.refuse_at_once(interaction, action, valid.message)
            return
        await self.journal.run(interaction, action, {"name": valid, "create": create}, self.in_flight)

    async def change_team(self, replies: Exchange | Followups, options: Options) -> None:
        command = JoinTeam(str(options["name"]), bool(options["create"]))
        change = await replies.execute(self.commands, command)
        if isinstance(change, TeamChange):
            await replies.send(render.team_change(change), ephemeral=True)

    async def manage_team(self, interaction: discord.Interaction, name: str, new_name: str | None) -> None:
        """For server managers: rename a team (`new_name`) or delete it (None)."""
        action = "team rename" if new_name else "team delete"
        names = [validate_team_name(n) for n in (name, new_name) if n is not None]
        invalid = next((n for n in names if isinstance(n, Invalid)), None)
        if invalid is not None:
            await self.refuse_at_once(interaction, action, invalid.message)
            return
        options = {"name": str(names[0]), "new_name": None if new_name is None else str(names[1])}
        await self.journal.run(interaction, action, options, self.in_flight)

    async def manage(self, replies: Exchange | Followups, options: Options) -> None:
        old, new = str(options["name"]), options.get("new_name")
        command = DeleteTeam(old) if new is None else RenameTeam(old, str(new))
        done = await replies.execute(self.commands, command)
        if isinstance(done, TeamManaged):
            await replies.send(done.text, ephemeral=True)

    async def refuse_at_once(self, interaction: discord.Interaction, action: str, text: str) -> None:
        """A typed option refused before anything is deferred: the refusal is the response."""
        exchange = Exchange(interaction)
        async with self.in_flight.track(), exchange.guard(action):
            await exchange.refuse(text)

    async def leave_team(self, interaction: discord.Interaction) -> None:
        await self.journal.run(interaction, "team leave", {}, self.in_flight)

    async def leave(self, replies: Exchange | Followups, _options: Options) -> None:
        change = await replies.execute(self.commands, LeaveTeam())
        if isinstance(change, TeamChange):
            await replies.send(render.team_change(change), ephemeral=True)

    async def list_teams(self, interaction: discord.Interaction) -> None:
        await self.journal.run(interaction, "team list", {}, self.in_flight)

    async def post_teams(self, replies: Exchange | Followups, _options: Options) -> None:
        teams = await replies.execute(self.commands, ListTeams())
        if isinstance(teams, TeamList):
            await replies.send(ephemeral=False, embed=render.teams(teams))

    async def dashboard(self, interaction: discord.Interaction) -> None:
        await self.journal.run(interaction, "dashboard", {}, self.in_flight)

    async def show_dashboard(self, replies: Exchange | Followups, _options: Options) -> None:
        link = await replies.execute(self.commands, ShowDashboard())
        if isinstance(link, DashboardLink):
            await replies.send(render.dashboard_link(link), ephemeral=True)

    async def status(self, interaction: discord.Interaction) -> None:
        """For server managers: is the bot alive here, and what does it know."""
        topics = await self.quiz.topics(people.place(interaction))
        questions = sum(t.question_count for t in topics)
        shard = interaction.guild.shard_id if interaction.guild is not None else 0
        latency = interaction.client.latency
        measured = f"{latency * 1000:.0f} ms" if math.isfinite(latency) else "not measured yet"
        lines = (
            f"{render.plural(questions, 'question')} in {render.plural(len(topics), 'topic')}",
            f"shard {shard}, gateway latency {measured}",
        )
        exchange = Exchange(interaction)
        async with exchange.guard("admin status"):
            await exchange.send("\n".join(lines), ephemeral=True)

    async def reports(self, interaction: discord.Interaction) -> None:
        """For server managers: the latest reports of bad questions on this server."""
        await self.journal.run(interaction, "reports", {}, self.in_flight)

    async def show_reports(self, replies: Exchange | Followups, _options: Options) -> None:
        reports = await replies.execute(self.commands, ShowReports())
        if isinstance(reports, ReportList):
            await replies.send(ephemeral=True, embed=reports_embed(reports))
