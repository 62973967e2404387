"""`studybot dashboard link`: an operator mints a dashboard link from the command line."""

from __future__ import annotations

import argparse

from bot.app.dashboard import parse_workspace_key
from bot.clock import SystemClock
from bot.dashboard_links import LinkGrant, links_from
from bot.settings import Settings, SettingsError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dashboard = commands.add_parser("dashboard", help="the team dashboard")
    dashboard_commands = dashboard.add_subparsers(dest="dashboard_command", required=True)
    link = dashboard_commands.add_parser("link", help="print a signed dashboard link for one person")
    link.add_argument("--workspace", required=True, help="slack:TEAM_ID, discord:GUILD_ID or terminal")
    link.add_argument("--user", required=True, help="the person's platform user id (terminal: their name)")
    link.add_argument("--admin", action="store_true", help="the link shows every person")


def link(settings: Settings, args: argparse.Namespace) -> int:
    if parse_workspace_key(args.workspace) is None:
        raise SettingsError(f"--workspace '{args.workspace}' is not slack:ID, discord:ID or terminal")
    user = str(args.user).strip()
    if not user:
        raise SettingsError("--user must not be empty")
    print(links_from(settings).url(LinkGrant(args.workspace, user, bool(args.admin)), SystemClock().now()))
    return 0
