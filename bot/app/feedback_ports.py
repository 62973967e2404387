"""The repository of question reports and per-question statistics (issue 16), beside the
others of `bot.app.ports`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.reports import QuestionCounts, QuestionReport


@dataclass(frozen=True)
class NewReport:
    question_id: str
    instance_id: int
    workspace_id: int
    user_id: int
    reason: str
    text: str
    reported_at: datetime


@dataclass(frozen=True)
class AnswerCounts:
    """What a batch of answers adds to the per-question counters.

    `totals`: (answers, right ones) by question; `first_tries`: whether each (question, user)
    pair of the batch was right at its first answer in the batch (it counts only for a person
    new to the question); `wrong_picks`: how often each (question, wrong choice) was picked."""

    totals: Mapping[str, Sequence[int]]
    first_tries: Mapping[tuple[str, int], bool]
    wrong_picks: Mapping[tuple[str, str], int]


class Feedback(Protocol):
    """Reports of bad questions, and the counters of how each question is answered."""

    def add_report(self, report: NewReport) -> int: ...

    def reports(self, workspace_id: int | None, limit: int | None) -> list[QuestionReport]:
        """Reports newest first: one workspace's, or every workspace's for None."""
        ...

    def add_counts(self, counts: AnswerCounts) -> None:
        """Add a batch's answers to the counters; a person counts once per question."""
        ...

    def question_counts(self) -> list[QuestionCounts]:
        """The counters of every question answered at least once."""
        ...
