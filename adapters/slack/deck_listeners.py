"""The deck import form on Slack (issue 18): `/quiz deck import` opens it (through
`listeners.quiz`, as every command, the admin rule in the command model); its submission is
checked in the form (a file, a name, a type the importers read), then, after the ack, the file
is read (`deck_files.fetch_file`) only once the admin rule has passed, imported, and the report
sent privately to the admin at the command's response_url."""

from __future__ import annotations

import json
import logging
from typing import Any, NamedTuple

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from adapters import deck_text
from adapters.slack import blocks
from adapters.slack.admins import is_admin
from adapters.slack.background import Background, Outcome
from adapters.slack.config import ListedAdmins
from adapters.slack.deck_blocks import CHOICES_BLOCK, DECK_IMPORT_VIEW, DRY_RUN_BLOCK, FILE_BLOCK, NAME_BLOCK
from adapters.slack.deck_files import fetch_file, send_problems
from adapters.slack.listeners import PLATFORM, client_for
from bot.app.commands import Notice
from bot.app.deck_ports import ImportReport
from bot.bootstrap import Core
from bot.decks.choices import CHOICES_RANGE
from bot.grammar_decks import NAME_THE_DECK, DeckFile, ImportDeck, deck_name, file_type_refusal
from bot.models import Actor

CHOOSE_A_FILE = "Choose the deck file."
UNREADABLE = "Something went wrong with this form. Close it and try /quiz deck import again."

log = logging.getLogger(__name__)

Body = dict[str, Any]


class DeckImportJob(NamedTuple):
    """A submitted import form: strings only, as every queued job."""

    workspace: str
    user: str
    user_name: str
    workspace_name: str
    channel: str
    file_id: str
    filename: str
    name: str
    choices: str
    dry_run: str
    response_url: str
    token: str | None

    @property
    def actor(self) -> Actor:
        return Actor(PLATFORM, self.workspace, self.user, self.user_name, self.workspace_name)


def _values(body: Body) -> dict[str, Any]:
    values: dict[str, Any] = body["view"]["state"]["values"]
    return values


def _element(body: Body, block: str) -> dict[str, Any]:
    return dict(_values(body).get(block, {}).get(block) or {})


def import_job(body: Body, client: AsyncWebClient) -> DeckImportJob | dict[str, str]:
    """The job of a submitted form, or the errors to show in it (by block)."""
    files = _element(body, FILE_BLOCK).get("files") or []
    if not files:
        return {FILE_BLOCK: CHOOSE_A_FILE}
    file = files[0]
    filename = str(file.get("name") or file.get("title") or "")
    refusal = file_type_refusal(filename)
    if refusal is not None:
        return {FILE_BLOCK: refusal}
    name = deck_name(str(_element(body, NAME_BLOCK).get("value") or ""))
    if name is None:
        return {NAME_BLOCK: NAME_THE_DECK}
    chosen = (_element(body, CHOICES_BLOCK).get("selected_option") or {}).get("value")
    choices = str(int(chosen)) if chosen is not None and int(chosen) in CHOICES_RANGE else ""
    dry_run = "yes" if _element(body, DRY_RUN_BLOCK).get("selected_options") else ""
    user, team = body["user"], body.get("team") or {}
    metadata = json.loads(body["view"]["private_metadata"])
    return DeckImportJob(
        str(team.get("id") or user.get("team_id", "")),
        str(user["id"]),
        str(user.get("username") or user.get("name", "")),
        str(team.get("domain", "")),
        str(metadata["channel"]),
        str(file["id"]),
        filename,
        name,
        choices,
        dry_run,
        str(metadata["response_url"]),
        client.token,
    )


def register_decks(app: AsyncApp, core: Core, admins: ListedAdmins, background: Background) -> None:
    """The import form's submission: checked in the form, then imported after the ack."""

    async def import_deck(job: DeckImportJob) -> Outcome:
        client = client_for(app.client, job.token)

        async def slack_admin() -> bool:
            return await is_admin(client, job.workspace, job.user, admins)

        async def fetch() -> DeckFile:
            return await fetch_file(client, job.file_id, job.filename)

        command = ImportDeck(job.name, fetch, int(job.choices) if job.choices else None, bool(job.dry_run))
        result = await core.commands.execute(job.actor, job.channel, command, slack_admin)
        listed = deck_text.problems_file(result) if isinstance(result, ImportReport) else None
        if listed is not None:
            await send_problems(client, job.user, listed)
        message = blocks.reply(result)
        if not await background.replies(job.response_url, message):
            # The command's response_url lasts 30 minutes: a form sent later is answered in the
            # channel, still to the admin alone.
            await client.chat_postEphemeral(channel=job.channel, user=job.user, **message)
        return "refused" if isinstance(result, Notice) else "ok"

    route = background.route("action", "deck import", import_deck, DeckImportJob._make)

    async def submitted(ack: AsyncAck, body: Body, client: AsyncWebClient) -> None:
        try:
            job = import_job(body, client)
        except (KeyError, IndexError, TypeError, ValueError) as error:
            log.warning("unreadable deck import form: %r", error)
            await ack(response_action="errors", errors={FILE_BLOCK: UNREADABLE})
            return
        if isinstance(job, dict):
            await ack(response_action="errors", errors=job)
            return
        refusal = background.offer(route, job)
        if refusal is not None:
            # Busy or restarting: said in the form, which stays open to be sent again.
            await ack(response_action="errors", errors={FILE_BLOCK: refusal})
            return
        await ack()

    app.view(DECK_IMPORT_VIEW)(submitted)
