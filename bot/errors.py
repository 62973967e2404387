"""Errors whose message is written for the user: adapters show it as it is, in one line."""

from __future__ import annotations

from enum import Enum


class UserFacingError(Exception):
    pass


class Command(Enum):
    """A command a refusal points the user to, spelled in the `/quiz` text grammar (Slack and the
    terminal); an adapter with commands of its own spells it its own way (`QuizError.said`)."""

    TEAM_JOIN = "/quiz team join NAME"
    TEAM_CREATE = "/quiz team create NAME"
    TEAM_LIST = "/quiz team list"
    TOPICS = "/quiz topics"
    DECK_LIST = "/quiz deck list"


class QuizError(UserFacingError):
    """A request the quiz cannot carry out (unknown question, wrong workspace, bad choice).

    A refusal that points to a command is `message`, the command, then `after`; `str(error)`
    spells the command in the `/quiz` grammar, `said` as an adapter spells it."""

    def __init__(self, message: str, command: Command | None = None, after: str = "") -> None:
        self.message = message
        self.command = command
        self.after = after
        super().__init__(self.said({}))

    def said(self, spellings: dict[Command, str]) -> str:
        if self.command is None:
            return self.message
        return f"{self.message}{spellings.get(self.command, self.command.value)}{self.after}"


class StorageUnavailable(UserFacingError):
    """The database cannot take the request now (locked, read-only, unreachable); nothing was
    written."""
