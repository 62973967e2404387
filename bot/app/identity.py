"""Who is acting, in a transaction: their workspace, user and channel, created as needed."""

from __future__ import annotations

from datetime import datetime

from bot.app.ports import Repositories, Workspace
from bot.models import Actor


def identify(
    repositories: Repositories, actor: Actor, channel: str | None, default_timezone: str, now: datetime
) -> tuple[Workspace, int, int]:
    """The actor's workspace, their user id and the channel's id (0 when no channel is asked
    for), created or renamed as needed."""
    workspace = repositories.people.workspace(
        actor.platform, actor.workspace, actor.workspace_name, default_timezone, now
    )
    key = (workspace.id, actor.user)
    user_id = repositories.people.ensure_users({key: actor.display_name}, now)[key]
    channel_id = repositories.people.channel(workspace.id, channel) if channel is not None else 0
    return workspace, user_id, channel_id
