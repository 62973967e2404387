"""Reports of bad questions and the statistics of how each question is answered: the plain
types and rules, shared by the core, the adapters and the `studybot content` commands.

A learner reports a question from its answer's feedback ("Report a problem": a reason and,
optionally, a few words). Per-question statistics are counters kept beside the answers, so
that reading them never scans the answers; a question is flagged when enough distinct people
answered it and nearly all or hardly any of them got it right the first time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Reason(StrEnum):
    WRONG_ANSWER = "wrong-answer"
    UNCLEAR = "unclear"
    OUTDATED = "outdated"
    TYPO = "typo"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS = {
    Reason.WRONG_ANSWER: "Wrong answer",
    Reason.UNCLEAR: "Unclear",
    Reason.OUTDATED: "Outdated",
    Reason.TYPO: "Typo",
    Reason.OTHER: "Other",
}
REASON_WORDS = "wrong, unclear, outdated, typo or other"
REPORT_USAGE = f"Usage: /quiz report REASON [what is wrong], REASON one of {REASON_WORDS}"
REPORT_TEXT_MAX = 500
"""What a report's text is cut to: enough for a sentence or two and a link."""
REPORTS_SHOWN = 20

# Statistics: a question is flagged when at least FLAG_MIN_PEOPLE distinct people answered it
# and more than FLAG_EASY_ABOVE or less than FLAG_HARD_BELOW of them were right the first time.
FLAG_MIN_PEOPLE = 30
FLAG_EASY_ABOVE = 0.95
FLAG_HARD_BELOW = 0.20


def reason_of(word: str) -> Reason | None:
    """The reason a word names: "wrong", "wrong-answer", "Wrong answer", "typo"..."""
    key = "".join(ch for ch in word.casefold() if ch.isalnum())
    for reason in Reason:
        if key in ("".join(ch for ch in reason.value if ch.isalnum()), reason.value.split("-")[0]):
            return reason
    return None


@dataclass(frozen=True)
class ReportQuestion:
    """`/quiz report REASON [TEXT]`, or a report sent from a Slack or Discord form.

    `instance_id` is the posted question reported; the terminal fills in the last one it
    showed, and a text command without one is refused."""

    reason: Reason
    text: str = ""
    instance_id: int | None = None


@dataclass(frozen=True)
class ShowReports:
    """`/quiz reports`: admins see the reports of their workspace, newest first."""


@dataclass(frozen=True)
class ReportReceived:
    """A report was stored; the reporter is told so, privately."""

    question_id: str
    reason: Reason

    @property
    def text(self) -> str:
        return (
            f"Thanks: your report on this question ({self.reason.label.lower()}) was sent "
            "to the people who look after the questions."
        )


@dataclass(frozen=True)
class QuestionReport:
    """A stored report, with who sent it and where the question was posted."""

    id: int
    question_id: str
    instance_id: int | None
    reason: Reason
    text: str
    platform: str
    workspace: str
    reporter: str
    reporter_name: str
    reported_at: datetime


@dataclass(frozen=True)
class ReportList:
    reports: tuple[QuestionReport, ...]


@dataclass(frozen=True)
class QuestionCounts:
    """The counters of one question: answers (every scored answer), right ones, the distinct
    people who answered it and how many of them were right the first time, and how often each
    wrong choice was picked (by its text; a multiple-response answer counts each wrong pick)."""

    question_id: str
    answers: int = 0
    correct: int = 0
    people: int = 0
    people_right_first: int = 0
    wrong_picks: dict[str, int] = field(default_factory=dict)

    @property
    def share_right(self) -> float:
        return self.correct / self.answers if self.answers else 0.0

    @property
    def people_share_right(self) -> float:
        return self.people_right_first / self.people if self.people else 0.0

    @property
    def flag(self) -> str | None:
        """ "too easy" or "too hard" once FLAG_MIN_PEOPLE people answered it, else None."""
        if self.people < FLAG_MIN_PEOPLE:
            return None
        if self.people_share_right > FLAG_EASY_ABOVE:
            return "too easy"
        if self.people_share_right < FLAG_HARD_BELOW:
            return "too hard"
        return None


def parse_report(typed: list[str]) -> ReportQuestion | str:
    """`report REASON [TEXT]`, about the last question shown (the text as typed), or the usage."""
    reason = reason_of(typed[0]) if typed else None
    if reason is None:
        return REPORT_USAGE if not typed else f"'{typed[0]}' is not a reason. {REPORT_USAGE}"
    return ReportQuestion(reason, " ".join(typed[1:]))
