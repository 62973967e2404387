"""Answer clicks (a choice, a multiple-response Submit, a flashcard's self-grade): recorded, then
acknowledged.

An acknowledgement is a promise (issue 13, point 1). Bolt answers Slack when the listener
returns, so the listener records the answer through the core (its group commit) first and
returns after, as long as the database answers within the ack budget
(STUDYBOT_ACK_BUDGET_SECONDS, inside Slack's 3 s). A process killed before that leaves Slack
without an answer, and the person sees their click fail, instead of a click acknowledged and
lost. When the database takes longer, the click is acknowledged first, the recording goes on,
and the person is told the outcome either way: their feedback, or that nothing was recorded (a
graceful stop that cannot wait for the recording tells them it may not have been). A recording
that fails within the budget on a fault of ours (the database busy, read-only, full, or an
unexpected error) is a click not taken: answered like a refused one, never 200.

What follows the recording (the ephemeral feedback through the response_url, the answer count
on the channel message) waits in `Background` like any acknowledged work, with the outcome the
core returned. A click delivered again is recorded once: the core keeps a person's first answer
and returns it again, marked as a repeat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar, cast

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.inflight import settled_within
from adapters.slack import blocks
from adapters.slack.action_ids import ANSWER, SELF_GRADE, SUBMIT, graded, numbers
from adapters.slack.background import BUSY, Background, Outcome, count
from adapters.slack.listeners import Body, Click, CountUpdates, click_job, submit_job
from adapters.slack.recordings import Recordings
from bot.app.quiz import QuizService
from bot.errors import StorageUnavailable, UserFacingError
from bot.metrics import ACKED_BEFORE_RECORDED
from bot.models import AnswerOutcome

PLATFORM = "slack"
NOT_RECORDED = "Your answer was not recorded: something went wrong on our side. Please click again."
RECORDED_UNSHOWN = (
    "Your click was recorded, but Studybot is too busy to show the result right now. "
    "Click again in a moment to see it."
)

log = logging.getLogger(__name__)

R = TypeVar("R")


class Settled(NamedTuple):
    """A click whose recording has settled: the work after it (queued in `Background`)."""

    workspace: str
    response_url: str | None
    click: Click | None  # None: the payload could not be read
    result: object  # what `record` returned, or the exception that kept it from recording


@dataclass(frozen=True)
class AnswerKind(Generic[R]):
    """One kind of click that records something: how to record it, what to show once it is
    recorded, and what to say when it could not be."""

    what: str
    job_of: Callable[[Body, AsyncWebClient], Click]
    record: Callable[[Click], Awaitable[R]]
    show: Callable[[Click, R], Awaitable[None]]
    not_recorded: str = NOT_RECORDED


def not_taken(result: object) -> bool:
    """Whether a recording's result means the click was not taken: a fault of ours (the database
    unavailable, an unexpected error), which clicking again may get past; not the person's own
    outcome (a question gone, a wrong workspace), which is their answer."""
    if isinstance(result, StorageUnavailable):
        return True
    return isinstance(result, Exception) and not isinstance(result, UserFacingError)


def recorded_first(
    kind: AnswerKind[R], background: Background, budget: float, recordings: Recordings
) -> Callable[..., Awaitable[BoltResponse | None]]:
    """The listener: record within `budget`, then ack; past it, ack and tell the outcome later;
    a click not taken (too many recordings, the queue busy or stopping, or its recording failed
    on a fault of ours within the budget) is refused."""

    async def recorded(click: Click) -> object:
        """What `record` returned, or the error that kept it from recording (logged unless it
        is the user's own: a question gone, a wrong workspace)."""
        try:
            return await kind.record(click)
        except UserFacingError as error:
            return error
        except Exception as error:
            log.exception("recording a Slack %s failed", kind.what)
            return error

    async def finish(settled: Settled) -> Outcome:
        result = settled.result
        if isinstance(result, UserFacingError):
            raise result
        if isinstance(result, Exception) or settled.click is None:
            raise UserFacingError(kind.not_recorded)
        await kind.show(settled.click, cast(R, result))
        return "ok"

    route = background.route("action", kind.what, finish, Settled._make)

    def hand_over(click: Click, result: object) -> None:
        """Queue what follows the recording; if the queue is full or closed, say what happened."""
        settled = Settled(click.workspace, click.response_url, click, result)
        if background.offer(route, settled) is None:
            return
        text = reason(result) if isinstance(result, Exception) else RECORDED_UNSHOWN
        background.tell_soon(click.response_url, text)

    def reason(error: object) -> str:
        """What a person whose click was not taken is told: the fault in plain words."""
        return str(error) if isinstance(error, UserFacingError) else kind.not_recorded

    def settled_late(click: Click, recording: asyncio.Task[object]) -> None:
        if not recording.cancelled():  # cancelled: a stop cut it short, and tells its person
            hand_over(click, recording.result())

    async def listener(ack: AsyncAck, body: Body, client: AsyncWebClient) -> BoltResponse | None:
        try:
            click = kind.job_of(body, client)
        except Exception as error:
            await ack()
            response_url = body.get("response_url")
            url = response_url if isinstance(response_url, str) else None
            background.offer(route, Settled("", url, None, error))
            log.warning("an unreadable Slack %s click: %r", kind.what, error)
            return None
        busy = recordings.full(click.workspace)
        refusal = BUSY if busy else background.refuse_early("action", click.workspace)
        if refusal is not None:
            return background.refuse_click(click.response_url, refusal)
        recording = background.inflight.spawn(recorded(click))
        recordings.started(recording, click.workspace)
        if await settled_within(recording, budget):
            result = recording.result()
            if not_taken(result):
                count("action", "refused")
                return background.refuse_click(click.response_url, reason(result))
            await ack()
            hand_over(click, result)
            return None
        ACKED_BEFORE_RECORDED.labels(platform=PLATFORM).inc()
        await ack()
        background.awaiting_outcome(recording, click.response_url)
        recording.add_done_callback(lambda task: settled_late(click, task))
        return None

    return listener


def register_answers(
    app: AsyncApp,
    service: QuizService,
    background: Background,
    counts: CountUpdates,
    budget: float,
    recordings: Recordings,
) -> None:
    """The answer buttons, Submit and the self-grade buttons, each recorded before its ack."""
    tell = background.replies

    async def answer(click: Click) -> AnswerOutcome:
        instance_id, index = numbers(ANSWER, click.action_id)
        return await service.answer_choice(click.actor, instance_id, index)

    async def show_answer(click: Click, result: AnswerOutcome) -> None:
        await tell(click.response_url, blocks.outcome(result))
        if not result.repeat and not result.mode.private:
            counts.submit(click.message, (result.instance_id, click.token))

    async def submit(click: Click) -> AnswerOutcome:
        (instance_id,) = numbers(SUBMIT, click.action_id)
        picks = [int(value) for value in click.value.split(",") if value]
        return await service.answer_choices(click.actor, instance_id, picks)

    async def show_submitted(click: Click, result: AnswerOutcome) -> None:
        await tell(click.response_url, blocks.outcome(result))
        if not result.repeat:
            counts.submit(click.message, (result.instance_id, click.token))

    async def self_grade(click: Click) -> AnswerOutcome:
        instance_id, grade = graded(click.action_id)
        return await service.answer_self_grade(click.actor, instance_id, grade)

    async def show_graded(click: Click, result: AnswerOutcome) -> None:
        await tell(click.response_url, blocks.outcome(result), replace_original=True)
        # The grade was given on an ephemeral message; the channel message whose count it
        # changes is the one stored with the instance (a button's value is never trusted).
        # A private question has no channel message.
        shown = not result.repeat and not result.mode.private
        shown_at = await service.message_ref(result.instance_id) if shown else None
        if shown_at is not None:
            counts.submit(shown_at, (result.instance_id, click.token))

    kinds = [
        (ANSWER, AnswerKind("answer", click_job, answer, show_answer)),
        (SUBMIT, AnswerKind("submit", submit_job, submit, show_submitted)),
        (SELF_GRADE, AnswerKind("self-grade", click_job, self_grade, show_graded)),
    ]
    for action, kind in kinds:
        app.action(action)(recorded_first(kind, background, budget, recordings))
