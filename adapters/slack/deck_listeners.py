"""The deck import form on Slack (issue 18): `/quiz deck import` opens it (through
`listeners.quiz`, as every command, the admin rule in the command model); its submission is
checked in the form (a file, a name, a type the importers read), then, after the ack, the file
is read (`deck_files.fetch_file`) only once the admin rule has passed, imported, and the report
sent privately to the admin at the command's response_url.

A submission that closes the form is journaled before its ack (issue 13, point 1: an
acknowledgement is a promise), as `/quiz` commands are (`command_journal`, the same journal): a
row of the delivery table keyed by the submission's trigger_id, with the form's fields and the
file's id, acknowledged once committed or once the ack budget has passed. If the process dies
before the import ends, `DeckImportRecovery` carries it out from the row in whichever Slack
process claims it: the file is read again by its id and the report reaches the admin as it
would have; a file Slack no longer hands over is asked for again (nothing was imported)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, NamedTuple

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from adapters import deck_text
from adapters.inflight import being_cancelled, settled_within
from adapters.slack import blocks
from adapters.slack.admins import is_admin
from adapters.slack.background import FRIENDLY_FAILURE, Outcome
from adapters.slack.command_journal import CommandJournal, TokenOf
from adapters.slack.config import ListedAdmins
from adapters.slack.deck_blocks import CHOICES_BLOCK, DECK_IMPORT_VIEW, DRY_RUN_BLOCK, FILE_BLOCK, NAME_BLOCK
from adapters.slack.deck_files import NotHandedOver, fetch_file, send_problems
from adapters.slack.listeners import PLATFORM, client_for
from bot.app import outbox
from bot.app.commands import Notice
from bot.app.deck_ports import ImportReport
from bot.app.journal import ABANDONED
from bot.bootstrap import Core
from bot.decks.choices import CHOICES_RANGE
from bot.errors import UserFacingError
from bot.grammar_decks import NAME_THE_DECK, DeckFile, ImportDeck, deck_name, file_type_refusal
from bot.models import Actor

KIND = "slack_deck_import"
# The report goes to the command's response_url (30 minutes), else ephemerally in the channel.
GRACE = timedelta(minutes=25)
CHOOSE_A_FILE = "Choose the deck file."
UNREADABLE = "Something went wrong with this form. Close it and try /quiz deck import again."
SEND_AGAIN = (
    "Studybot restarted before it imported '{filename}', and Slack no longer hands the file over: "
    "nothing was imported. Please send the file again with /quiz deck import."
)

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
    request: str = ""
    """The submission's trigger_id: its key in the journal."""

    @property
    def actor(self) -> Actor:
        return Actor(PLATFORM, self.workspace, self.user, self.user_name, self.workspace_name)


_FIELDS = tuple(name for name in DeckImportJob._fields if name != "token")


def payload(job: DeckImportJob) -> dict[str, outbox.JsonValue]:
    """What a row keeps of a submission: its fields but the bot token (looked up when recovered)."""
    return {name: getattr(job, name) for name in _FIELDS}


def job_of(row: outbox.Due, token: str | None) -> DeckImportJob:
    fields: dict[str, Any] = {name: str(row.item.payload[name]) for name in _FIELDS}
    return DeckImportJob(token=token, **fields)


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
        str(body.get("trigger_id") or uuid.uuid4().hex),
    )


def register_decks(
    app: AsyncApp, core: Core, admins: ListedAdmins, commands: CommandJournal, token_of: TokenOf
) -> None:
    """The import form's submission: checked in the form, journaled, then imported after the ack;
    its rows recovered by the delivery runner."""
    background, journal = commands.background, commands.journal

    async def tell(job: DeckImportJob, client: AsyncWebClient, message: dict[str, Any]) -> None:
        if not await background.replies(job.response_url, message):
            # The command's response_url lasts 30 minutes: a form sent later is answered in the
            # channel, still to the admin alone.
            await client.chat_postEphemeral(channel=job.channel, user=job.user, **message)

    async def import_deck(job: DeckImportJob, recovered: bool = False) -> Outcome:
        client = client_for(app.client, job.token)

        async def slack_admin() -> bool:
            return await is_admin(client, job.workspace, job.user, admins)

        async def fetch() -> DeckFile:
            try:
                return await fetch_file(client, job.file_id, job.filename)
            except NotHandedOver as error:
                if recovered:
                    raise UserFacingError(SEND_AGAIN.format(filename=job.filename)) from error
                raise

        command = ImportDeck(job.name, fetch, int(job.choices) if job.choices else None, bool(job.dry_run))
        result = await core.commands.execute(job.actor, job.channel, command, slack_admin)
        listed = deck_text.problems_file(result) if isinstance(result, ImportReport) else None
        if listed is not None:
            await send_problems(client, job.user, listed)
        await tell(job, client, blocks.reply(result))
        return "refused" if isinstance(result, Notice) else "ok"

    async def journaled(job: DeckImportJob) -> Outcome:
        """Import, then mark the row done, whatever the outcome (the admin was told it); not when
        stopping cut the import short: stopping tells the admin, then marks the row abandoned."""
        try:
            return await import_deck(job)
        finally:
            if not being_cancelled():
                background.inflight.spawn(journal.end(job.request))

    route = background.route("action", "deck import", journaled, DeckImportJob._make)
    core.outbox.register(DeckImportRecovery(import_deck, token_of, tell, app.client), grace=GRACE)

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
        refusal = background.refuse_early("action", job.workspace)
        if refusal is None:
            row = journal.begin(KIND, job.request, PLATFORM, payload(job))
            if await settled_within(row, commands.budget) and not row.exception() and row.result() is None:
                await ack()  # delivered twice: the first delivery imports it
                return
            refusal = background.offer(route, job)
            if refusal is not None:
                background.inflight.spawn(journal.end(job.request, ABANDONED))
        if refusal is not None:
            # Busy or restarting: said in the form, which stays open to be sent again.
            await ack(response_action="errors", errors={FILE_BLOCK: refusal})
            return
        await ack()

    app.view(DECK_IMPORT_VIEW)(submitted)


Import = Callable[[DeckImportJob, bool], Awaitable[Outcome]]
Tell = Callable[[DeckImportJob, AsyncWebClient, dict[str, Any]], Awaitable[None]]


class DeckImportRecovery:
    """The delivery table's handler of deck imports whose process died before finishing."""

    kind = KIND

    def __init__(self, import_deck: Import, token_of: TokenOf, tell: Tell, base: AsyncWebClient) -> None:
        self.import_deck = import_deck
        self.token_of = token_of
        self.tell = tell
        self.base = base

    async def deliver(self, due: outbox.Due) -> outbox.Outcome:
        job = job_of(due, await self.token_of(str(due.item.payload["workspace"])))
        log.warning(
            "carrying out a deck import of %s acknowledged by a process that stopped before it "
            "finished (journal row %s)",
            job.workspace,
            due.id,
        )
        try:
            await self.import_deck(job, True)
        except Exception:
            log.exception("a recovered Slack deck import failed (journal row %s)", due.id)
            try:
                await self.tell(job, client_for(self.base, job.token), blocks.reply_text(FRIENDLY_FAILURE))
            except Exception:
                log.exception("telling a Slack admin that their recovered deck import failed failed too")
        return outbox.Outcome.SENT
