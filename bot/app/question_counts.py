"""The per-question counters a batch of answers adds up to, gathered while the batch's rules
are applied and written with it, in its transaction (`bot.app.answering`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bot.app.feedback_ports import AnswerCounts, Feedback
from bot.choices import picks_of
from bot.questions import Kind, Question


@dataclass
class CountsBatch:
    totals: dict[str, list[int]] = field(default_factory=dict)
    first_tries: dict[tuple[str, int], bool] = field(default_factory=dict)
    wrong_picks: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def add(self, question: Question, user_id: int, recorded: str, correct: bool) -> None:
        """One scored answer: `recorded` is the text kept for it (a multiple-response answer's
        picks in canonical order, so each wrong pick is counted by its text)."""
        tally = self.totals.setdefault(question.id, [0, 0])
        tally[0] += 1
        tally[1] += int(correct)
        self.first_tries.setdefault((question.id, user_id), correct)
        if question.kind is Kind.FLASHCARD or correct:
            return
        for pick in picks_of(question, recorded):
            if pick not in question.answers:
                self.wrong_picks[(question.id, pick)] += 1

    def write(self, feedback: Feedback) -> None:
        if self.totals:
            feedback.add_counts(AnswerCounts(self.totals, self.first_tries, dict(self.wrong_picks)))
