"""The in-memory `Feedback` repository: reports and per-question counters over plain dicts,
on the in-memory unit of work's state (`tests/memory.py`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.app.feedback_ports import AnswerCounts, NewReport
from bot.reports import QuestionCounts, QuestionReport, Reason

if TYPE_CHECKING:
    from tests.memory import _State


@dataclass
class FeedbackState:
    reports: list[tuple[int, NewReport]] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)
    wrong_picks: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    people: set[tuple[str, int]] = field(default_factory=set)


class MemoryFeedback:
    def __init__(self, state: _State) -> None:
        self.s = state
        self.f = state.feedback

    def add_report(self, report: NewReport) -> int:
        report_id = len(self.f.reports) + 1
        self.f.reports.append((report_id, report))
        return report_id

    def reports(self, workspace_id: int | None, limit: int | None) -> list[QuestionReport]:
        found = []
        for report_id, report in reversed(self.f.reports):
            if workspace_id is not None and report.workspace_id != workspace_id:
                continue
            workspace, user = self.s.workspaces[report.workspace_id], self.s.users[report.user_id]
            found.append(
                QuestionReport(
                    report_id,
                    report.question_id,
                    report.instance_id,
                    Reason(report.reason),
                    report.text,
                    workspace.platform,
                    workspace.external_id,
                    user.external_id,
                    user.display_name,
                    report.reported_at,
                )
            )
        return found if limit is None else found[:limit]

    def add_counts(self, counts: AnswerCounts) -> None:
        for question_id, (answers, correct) in counts.totals.items():
            tally = self.f.counts.setdefault(question_id, [0, 0, 0, 0])
            tally[0] += answers
            tally[1] += correct
        for (question_id, user_id), right in counts.first_tries.items():
            if (question_id, user_id) not in self.f.people:
                self.f.people.add((question_id, user_id))
                self.f.counts[question_id][2] += 1
                self.f.counts[question_id][3] += int(right)
        for (question_id, choice), times in counts.wrong_picks.items():
            picks = self.f.wrong_picks[question_id]
            picks[choice] = picks.get(choice, 0) + times

    def question_counts(self) -> list[QuestionCounts]:
        return [
            QuestionCounts(q, answers, correct, people, right_first, dict(self.f.wrong_picks.get(q, {})))
            for q, (answers, correct, people, right_first) in sorted(self.f.counts.items())
        ]
