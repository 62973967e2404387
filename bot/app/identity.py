"""Who is acting, in a transaction: their workspace, user and channel, created as needed."""

from __future__ import annotations

from datetime import datetime

from bot.app.ports import Repositories, User, Workspace
from bot.models import Actor


def identify(
    repositories: Repositories, actor: Actor, channel: str | None, default_timezone: str, now: datetime
) -> tuple[Workspace, User, int]:
    """The actor's workspace and user, created or renamed as needed, and the channel's id (0
    when no channel is asked for)."""
    workspace = repositories.people.workspace(
        actor.platform, actor.workspace, actor.workspace_name, default_timezone, now
    )
    user = repositories.people.user(workspace.id, actor.user, actor.display_name, now)
    channel_id = repositories.people.channel(workspace.id, channel) if channel is not None else 0
    return workspace, user, channel_id
