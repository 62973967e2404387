"""Reporting a question on Slack: "Report a problem" under an answer opens a modal
(`views.open`), and its submission stores the report and tells the reporter, privately, at
the feedback message's response_url. `/quiz reports` goes the way of every command."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any, NamedTuple

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.inflight import settled_within
from adapters.slack import blocks
from adapters.slack.background import Background, Outcome, count
from adapters.slack.listeners import PLATFORM, click_workspace, client_for
from adapters.slack.report_blocks import DETAILS_BLOCK, REASON_BLOCK, REPORT_VIEW, report_modal
from bot.bootstrap import Core
from bot.errors import UserFacingError
from bot.models import Actor
from bot.reports import Reason, ReportReceived

REPORT_CLICK = re.compile(r"^report:(\d+)$")
PICK_A_REASON = "Pick a reason."
UNREADABLE = "Something went wrong with this form. Close it and report the question again."
NOT_SAVED = "Your report could not be saved: something went wrong on our side. Please send it again."

log = logging.getLogger(__name__)

Body = dict[str, Any]


class OpenReport(NamedTuple):
    """A click on Report a problem: the modal opens with the click's trigger."""

    workspace: str
    instance: str
    trigger_id: str
    response_url: str
    token: str | None


class SendReport(NamedTuple):
    workspace: str
    user: str
    user_name: str
    workspace_name: str
    instance: str
    reason: str
    text: str
    response_url: str
    token: str | None

    @property
    def actor(self) -> Actor:
        return Actor(PLATFORM, self.workspace, self.user, self.user_name, self.workspace_name)


def open_job(body: Body, client: AsyncWebClient) -> OpenReport:
    action = body["actions"][0]
    return OpenReport(
        click_workspace(body),
        str(int(action["value"])),
        body["trigger_id"],
        body["response_url"],
        client.token,
    )


def _values(body: Body) -> dict[str, Any]:
    values: dict[str, Any] = body["view"]["state"]["values"]
    return values


def chosen_reason(body: Body) -> Reason | None:
    selected = (_values(body).get(REASON_BLOCK, {}).get(REASON_BLOCK) or {}).get("selected_option")
    return Reason(selected["value"]) if selected and selected.get("value") in set(Reason) else None


def send_job(body: Body, client: AsyncWebClient, reason: Reason) -> SendReport:
    user, team = body["user"], body.get("team") or {}
    metadata = json.loads(body["view"]["private_metadata"])
    details = (_values(body).get(DETAILS_BLOCK, {}).get(DETAILS_BLOCK) or {}).get("value") or ""
    return SendReport(
        team.get("id") or user.get("team_id", ""),
        user["id"],
        user.get("username") or user.get("name", ""),
        team.get("domain", ""),
        str(int(metadata["instance"])),
        reason.value,
        str(details),
        str(metadata["response_url"]),
        client.token,
    )


class Said(NamedTuple):
    """A line for the person who sent a report, once it is saved (or could not be)."""

    workspace: str
    response_url: str
    text: str


def register_reports(app: AsyncApp, core: Core, background: Background, budget: float) -> None:
    """A report is saved before the form closes (an acknowledgement is a promise, as for an
    answer: `answer_clicks`); a database slower than `budget` gets the form closed first and the
    person told the outcome after, through the response_url of the feedback it was sent from."""

    async def open_modal(job: OpenReport) -> Outcome:
        view = report_modal(int(job.instance), job.response_url)
        await client_for(app.client, job.token).views_open(trigger_id=job.trigger_id, view=view)
        return "ok"

    async def say(said: Said) -> Outcome:
        await background.replies(said.response_url, blocks.reply_text(said.text))
        return "ok"

    open_route = background.route("action", "report button", open_modal, OpenReport._make)
    say_route = background.route("action", "report", say, Said._make)

    async def saved(job: SendReport) -> ReportReceived | Exception:
        try:
            return await core.feedback.report(job.actor, int(job.instance), Reason(job.reason), job.text)
        except UserFacingError as error:
            return error
        except Exception as error:
            log.exception("saving a Slack report failed")
            return error

    def told(result: ReportReceived | Exception) -> str:
        if isinstance(result, UserFacingError):
            return str(result)
        return NOT_SAVED if isinstance(result, Exception) else result.text

    def tell(job: SendReport, result: ReportReceived | Exception) -> None:
        said = Said(job.workspace, job.response_url, told(result))
        if background.offer(say_route, said) is not None:
            background.tell_soon(job.response_url, said.text)

    def tell_late(job: SendReport, saving: asyncio.Task[ReportReceived | Exception]) -> None:
        if saving.cancelled():
            background.tell_soon(job.response_url, NOT_SAVED)
        else:
            tell(job, saving.result())

    async def clicked(ack: AsyncAck, body: Body, client: AsyncWebClient) -> BoltResponse | None:
        try:
            job = open_job(body, client)
        except (KeyError, IndexError, TypeError, ValueError) as error:
            await ack()
            log.warning("unreadable Report a problem click: %r", error)
            return None
        refusal = background.offer(open_route, job)
        if refusal is not None:
            return background.refuse_click(job.response_url, refusal)
        await ack()
        return None

    async def submitted(ack: AsyncAck, body: Body, client: AsyncWebClient) -> None:
        try:
            reason = chosen_reason(body)
            job = None if reason is None else send_job(body, client, reason)
        except (KeyError, TypeError, ValueError) as error:
            log.warning("unreadable report submission: %r", error)
            await ack(response_action="errors", errors={REASON_BLOCK: UNREADABLE})
            return
        if job is None:
            await ack(response_action="errors", errors={REASON_BLOCK: PICK_A_REASON})
            return
        refusal = background.refuse_early("action", job.workspace)
        if refusal is not None:
            # Busy or restarting: said in the form, which stays open to be sent again.
            await ack(response_action="errors", errors={REASON_BLOCK: refusal})
            return
        saving = background.inflight.spawn(saved(job))
        if not await settled_within(saving, budget):
            await ack()
            saving.add_done_callback(lambda task: tell_late(job, task))
            return
        result = saving.result()
        if isinstance(result, Exception):
            count("action", "refused" if isinstance(result, UserFacingError) else "error")
            await ack(response_action="errors", errors={REASON_BLOCK: told(result)})
            return
        await ack()
        tell(job, result)

    app.action(REPORT_CLICK)(clicked)
    app.view(REPORT_VIEW)(submitted)
