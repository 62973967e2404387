"""Carry out a parsed `/quiz` command: the one place where grammar meets the core API.

Adapters call `run` with what the user typed and render the reply by its type.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import teams
from bot.daily.models import DailyStatusReport
from bot.daily.service import DailyService
from bot.errors import QuizError, UserFacingError
from bot.grammar import (
    HELP_LINES,
    Ask,
    Command,
    DailyOff,
    DailyOn,
    DailyStatus,
    DeleteTeam,
    Invalid,
    JoinTeam,
    LeaveTeam,
    ListTeams,
    RenameTeam,
    ShowHelp,
    ShowLeaderboard,
    ShowStats,
    ShowTopics,
    parse,
)
from bot.models import (
    Actor,
    AskResult,
    Leaderboard,
    Place,
    TeamChange,
    TeamSummary,
    TopicInfo,
    UserStats,
)
from bot.service import QuizService


@dataclass(frozen=True)
class TopicList:
    topics: tuple[TopicInfo, ...]


@dataclass(frozen=True)
class Help:
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TeamList:
    teams: tuple[TeamSummary, ...]


@dataclass(frozen=True)
class DailyStopped:
    """`daily off` worked: the channel gets no more questions of the day."""

    text: str = "The question of the day is off in this channel."


@dataclass(frozen=True)
class Notice:
    """A one-line message for the user: invalid input, or a request the quiz refused."""

    text: str
    refusal: QuizError | None = None
    """The quiz's refusal the text reports, for an adapter that spells commands its own way."""


Reply = (
    AskResult
    | TopicList
    | Help
    | Leaderboard
    | TeamChange
    | TeamList
    | UserStats
    | DailyStatusReport
    | DailyStopped
    | Notice
)


async def _daily(daily: DailyService | None, actor: Actor, place: Place, command: Command) -> Reply:
    if daily is None:
        return Notice("The question of the day is not available here.")
    match command:
        case DailyOn():
            return await daily.subscribe(actor, place.channel, command)
        case DailyOff():
            await daily.unsubscribe(actor, place.channel)
            return DailyStopped()
    return await daily.status(place)


async def run(
    service: QuizService, actor: Actor, channel: str, text: str, daily: DailyService | None = None
) -> Reply:
    """Parse and carry out one command. Refusals come back as a Notice; other errors propagate."""
    command = parse(text)
    place = Place(actor.platform, actor.workspace, channel)
    try:
        match command:
            case Ask(topic):
                return await service.ask(actor, channel, topic)
            case ShowTopics():
                return TopicList(service.topics())
            case ShowHelp():
                return Help(HELP_LINES)
            case ShowLeaderboard(period, scope):
                return await service.leaderboard(place, period, scope)
            case JoinTeam(name, create):
                return await service.join_team(actor, name, create)
            case RenameTeam(old, new):
                return Notice(await teams.rename_team(service, actor, old, new))
            case DeleteTeam(name):
                return Notice(await teams.delete_team(service, actor, name))
            case LeaveTeam():
                return await service.leave_team(actor)
            case ListTeams():
                return TeamList(await service.teams(place))
            case ShowStats():
                return await service.stats(actor)
            case DailyOn() | DailyOff() | DailyStatus():
                return await _daily(daily, actor, place, command)
            case Invalid(message):
                return Notice(message)
    except QuizError as error:
        return Notice(str(error), error)
    except UserFacingError as error:
        return Notice(str(error))
    raise AssertionError(f"unhandled command {command!r}")
