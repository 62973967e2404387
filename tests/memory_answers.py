"""Answers and their totals in memory (`bot.app.ports.Answers`), for `tests.memory`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.app.ports import (
    BoardLine,
    NamedAnswer,
    NewAnswer,
    QuestionTally,
    RecordedAnswer,
    Tally,
    UserState,
)
from bot.models import Scope
from tests.memory_base import OnState


class MemoryAnswers(OnState):
    def _recorded(self, answer: NewAnswer) -> RecordedAnswer:
        return RecordedAnswer(answer.choice, answer.correct, answer.points, answer.late)

    def first_answer(self, instance_id: int, user_id: int) -> RecordedAnswer | None:
        return next(
            (
                self._recorded(a)
                for a in self.s.answers
                if (a.instance_id, a.user_id) == (instance_id, user_id)
            ),
            None,
        )

    def states_and_answers(
        self, pairs: Sequence[tuple[int, int]]
    ) -> tuple[dict[int, tuple[bool, int]], dict[tuple[int, int], RecordedAnswer]]:
        states = {
            i: (self.s.posts[i].revealed_at is not None, self.s.posts[i].answer_count)
            for i, _ in pairs
            if i in self.s.posts
        }
        first = {}
        for instance_id, user_id in pairs:
            answer = self.first_answer(instance_id, user_id)
            if answer is not None:
                first[(instance_id, user_id)] = answer
        return states, first

    def user_states(self, user_ids: Sequence[int]) -> dict[int, UserState]:
        return {
            user_id: UserState(
                self.s.users[user_id].streak,
                self.s.users[user_id].daily_streak,
                self.s.totals.get((Scope.PEOPLE, user_id, "all"), [0, 0, 0, 0])[1],
                self.s.members.get(user_id),
            )
            for user_id in user_ids
        }

    def previous_daily(self, channel_id: int, daily_date: date, user_id: int) -> RecordedAnswer | None:
        earlier = [
            (p.daily_date, i)
            for i, p in self.s.posts.items()
            if p.channel_id == channel_id
            and p.mode == "daily"
            and p.post_state == "posted"
            and p.daily_date is not None
            and p.daily_date < daily_date
        ]
        return self.first_answer(max(earlier)[1], user_id) if earlier else None

    def insert(self, rows: Sequence[NewAnswer]) -> int:
        new = [r for r in rows if self.first_answer(r.instance_id, r.user_id) is None]
        self.s.answers.extend(new)
        return len(new)

    def add_totals(
        self, scope: Scope, totals: Mapping[tuple[int, str], Sequence[int]], workspace_of: Mapping[int, int]
    ) -> None:
        for (owner, key), (points, answers, correct) in totals.items():
            tally = self.s.totals.setdefault((scope, owner, key), [workspace_of[owner], 0, 0, 0])
            tally[1] += points
            tally[2] += answers
            tally[3] += correct

    def user_totals(self, user_id: int, period_keys: Sequence[str]) -> dict[str, Tally]:
        return {
            key: Tally(*self.s.totals[(Scope.PEOPLE, user_id, key)][1:])
            for key in period_keys
            if (Scope.PEOPLE, user_id, key) in self.s.totals
        }

    def by_question(self, user_id: int) -> list[QuestionTally]:
        counts: dict[str, list[int]] = {}
        for a in self.s.answers:
            if a.user_id == user_id and not a.late:
                tally = counts.setdefault(self.s.posts[a.instance_id].question_id, [0, 0])
                tally[0] += 1
                tally[1] += int(a.correct)
        return [QuestionTally(q, n, c) for q, (n, c) in counts.items()]

    def named(self, instance_id: int) -> list[NamedAnswer]:
        return [
            NamedAnswer(
                self.s.users[a.user_id].display_name,
                a.correct,
                self.s.teams[a.team_id].name if a.team_id is not None else None,
            )
            for a in sorted(self.s.answers, key=lambda a: a.answered_at)
            if a.instance_id == instance_id and not a.late
        ]

    def top(self, workspace_id: int, period_key: str, scope: Scope, limit: int) -> list[BoardLine]:
        lines = [
            (tally[1], tally[3], owner)
            for (kind, owner, key), tally in self.s.totals.items()
            if kind is scope and key == period_key and tally[0] == workspace_id
        ]
        lines.sort(reverse=True)

        def name(owner: int) -> str:
            return self.s.users[owner].display_name if scope is Scope.PEOPLE else self.s.teams[owner].name

        tallies = {owner: self.s.totals[(scope, owner, period_key)] for _, _, owner in lines}
        return [
            BoardLine(name(owner), points, tallies[owner][2], correct)
            for points, correct, owner in lines[:limit]
        ]
