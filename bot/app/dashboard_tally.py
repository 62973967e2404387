"""What a batch of answers adds to the dashboard's aggregates, decided in memory and written in
the batch's own transaction (one statement per table), so the pages never scan the answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.app.dashboard_ports import DashboardIncrements
from bot.app.ports import PostedQuestion, Repositories
from bot.choices import picks_of
from bot.questions import Question

DOMAIN_PREFIX = "domain:"
"""Topic keys of the exam-domain rows: a question counts under its primary topic and under
`domain:N`, its exam domain, so the topics page can show accuracy by domain too."""

ALL_RIGHT = -1
"""The choice index under which a multiple-response question counts its answers with every pick
right: its right answers cannot be read from its choices' picks as a single answer's can."""


def domain_key(domain: int) -> str:
    return f"{DOMAIN_PREFIX}{domain}"


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _add(
    totals: dict[tuple[int, str, int, str], list[int]], key: tuple[int, str, int, str], correct: bool
) -> None:
    tally = totals.setdefault(key, [0, 0])
    tally[0] += 1
    tally[1] += int(correct)


class DashboardTally:
    def __init__(self) -> None:
        self._known: dict[int, date] = {}
        self.increments = DashboardIncrements({}, {}, {}, {}, {}, {})

    def read_last_days(self, repositories: Repositories, user_ids: Sequence[int]) -> None:
        self._known = repositories.dashboard.last_days(user_ids)

    def note(
        self,
        *,
        workspace_id: int,
        timezone: str,
        user_id: int,
        team_id: int | None,
        instance: PostedQuestion,
        question: Question,
        chosen: str,
        correct: bool,
        late: bool,
        answered_at: datetime,
    ) -> None:
        """Count one new (not repeated) answer."""
        increments = self.increments
        day = answered_at.astimezone(ZoneInfo(timezone)).date()
        last = self._known.get(user_id)
        first_today = last is None or last < day
        first_this_week = last is None or iso_week(last) != iso_week(day)
        if first_today:
            self._known[user_id] = day
            increments.last_days[user_id] = (workspace_id, day)
        tally = increments.days.setdefault((workspace_id, day), [0, 0, 0])
        tally[0] += 1
        tally[1] += int(correct)
        tally[2] += int(first_today)
        if first_this_week:
            week_key = (workspace_id, iso_week(day))
            increments.weeks[week_key] = increments.weeks.get(week_key, 0) + 1
        if late:
            return
        for topic in (question.primary_topic, domain_key(question.domain)):
            _add(increments.topics, (workspace_id, "w", 0, topic), correct)
            _add(increments.topics, (workspace_id, "u", user_id, topic), correct)
            if team_id is not None:
                _add(increments.topics, (workspace_id, "t", team_id, topic), correct)
        picked = [question.choices.index(p) for p in picks_of(question, chosen) if p in question.choices]
        if len(question.answers) > 1 and correct:
            picked.append(ALL_RIGHT)
        for index in picked:
            choice_key = (workspace_id, question.id, index)
            increments.choices[choice_key] = increments.choices.get(choice_key, 0) + 1
        if instance.daily_date is not None:
            _, daily = increments.daily.setdefault((instance.id, team_id or 0), (workspace_id, [0, 0]))
            daily[0] += 1
            daily[1] += int(correct)

    def write(self, repositories: Repositories) -> None:
        if self.increments.days:
            repositories.dashboard.add(self.increments)
