"""The group commit takes waiting answers into a batch in turn between workspaces, so one
workspace's flood of answers does not hold another workspace's answer back by whole batches."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import SimpleNamespace
from typing import cast

from bot.app.answer_batch import InTurn, Submission
from bot.app.answering import AnswerRecorder
from bot.app.ports import UnitOfWork
from bot.models import Actor, AnswerOutcome

DEADLINE = 5.0


def test_a_batch_takes_one_of_each_waiting_workspace_before_a_second_of_any() -> None:
    waiting: InTurn[str] = InTurn()
    for item in ["a1", "a2", "a3", "a4"]:
        waiting.put(("slack", "A"), item)
    waiting.put(("slack", "B"), "b1")
    waiting.put(("discord", "A"), "c1")

    assert waiting.take(3) == ["a1", "b1", "c1"]
    assert waiting.take(2) == ["a2", "a3"]
    waiting.put(("slack", "B"), "b2")
    assert (len(waiting), waiting.take(5), len(waiting)) == (2, ["a4", "b2"], 0)


def test_the_turn_goes_on_from_one_batch_to_the_next() -> None:
    waiting: InTurn[str] = InTurn()
    for workspace in "ABC":
        for n in (1, 2):
            waiting.put(("slack", workspace), f"{workspace}{n}")

    assert [waiting.take(2) for _ in range(3)] == [["A1", "B1"], ["C1", "A2"], ["B2", "C2"]]


class Batches(AnswerRecorder):
    """Records which workspaces each batch carried; the first batch waits until `release`."""

    def __init__(self, max_batch: int) -> None:
        super().__init__(cast(UnitOfWork, None), "UTC", max_batch)
        self.batches: list[list[str]] = []
        self.committing = asyncio.Event()
        self.release = asyncio.Event()

    async def _commit_isolating(self, submissions: Sequence[Submission]) -> list[AnswerOutcome | Exception]:
        self.batches.append([submission.actor.workspace for submission in submissions])
        self.committing.set()
        await self.release.wait()
        return [cast(AnswerOutcome, submission.actor.workspace) for submission in submissions]


async def released(recorder: Batches) -> None:
    recorder.release.set()


def submission(workspace: str) -> Submission:
    return cast(Submission, SimpleNamespace(actor=Actor("slack", workspace, "U1", "ann")))


async def test_another_workspace_s_answer_joins_the_next_batch_ahead_of_a_flood_s_backlog() -> None:
    recorder = Batches(max_batch=2)
    async with asyncio.timeout(DEADLINE), asyncio.TaskGroup() as answers:
        answers.create_task(recorder.record(submission("TFLOOD")))
        await recorder.committing.wait()
        for workspace in ["TFLOOD"] * 4 + ["TOTHER"]:
            answers.create_task(recorder.record(submission(workspace)))
        # Started after them, so it runs once each answer above has put itself in the queue.
        answers.create_task(released(recorder))

    assert recorder.batches == [["TFLOOD"], ["TFLOOD", "TOTHER"], ["TFLOOD", "TFLOOD"], ["TFLOOD"]]
