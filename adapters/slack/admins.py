"""Who may change a channel's question of the day: workspace admins and owners, as Slack's
users.info says (the `users:read` scope), and the members SLACK_ADMIN_USER_IDS lists for the
workspace (`config.ListedAdmins`).

Slack is asked afresh on each `/quiz daily on|off`, so a member who lost the role loses the
right at once; other commands never ask.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.config import ListedAdmins
from bot.errors import UserFacingError

log = logging.getLogger(__name__)


async def is_admin(client: AsyncWebClient, workspace: str, user_id: str, listed: ListedAdmins) -> bool:
    if listed.lists(workspace, user_id):
        return True
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as error:
        # The body of an error is not always JSON (a proxy's or a server's error page).
        data = error.response.data
        code = (data.get("error") if isinstance(data, dict) else None) or f"HTTP {error.response.status_code}"
        log.warning("users.info for %s failed: %s", user_id, code)
        fix = (
            "Reinstall the app so it has the users:read scope"
            if code == "missing_scope"
            else "Try again in a moment"
        )
        raise UserFacingError(
            f"I could not check whether you are a workspace admin: Slack answered {code}. "
            f"{fix}, or ask whoever runs Studybot to list you in SLACK_ADMIN_USER_IDS."
        ) from error
    user = response["user"]
    return bool(user.get("is_admin") or user.get("is_owner"))
