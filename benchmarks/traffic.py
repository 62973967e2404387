"""What the Slack benchmarks send: button clicks that each record a new answer (every click is a
different (user, question) pair), mixed with slash commands."""

from __future__ import annotations

from benchmarks.slack_requests import click, slash

PEOPLE = 1000


class Traffic:
    """Request bodies in order: with `commands`, one in four is `/quiz leaderboard` or
    `/quiz ecs` (asks a question: a write and a chat.postMessage), the rest are clicks."""

    def __init__(self, respond_base: str, commands: bool = True) -> None:
        self.respond_base = respond_base
        self.commands = commands
        self.requests = 0
        self.clicks = 0

    def next(self) -> str:
        n = self.requests
        self.requests += 1
        if self.commands and n % 4 == 3:
            return slash(n, "leaderboard" if n % 8 == 3 else "ecs", self.respond_base)
        instance, user = divmod(self.clicks, PEOPLE)
        body = click(n, user, instance + 1, self.clicks % 2, self.respond_base)
        self.clicks += 1
        return body


def instances_for(clicks: int) -> int:
    """Posted questions needed for this many clicks."""
    return clicks // PEOPLE + 2
