"""The in-memory fake of the dashboard's totals (beside tests/memory.py): each user's last day
and the increments written, so that in-memory tests can check what the answer path added."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.app.dashboard_ports import DashboardIncrements


@dataclass
class DashboardState:
    last_days: dict[int, date] = field(default_factory=dict)
    written: list[DashboardIncrements] = field(default_factory=list)


class MemoryDashboard:
    def __init__(self, state: DashboardState) -> None:
        self.state = state

    def last_days(self, user_ids: Sequence[int]) -> dict[int, date]:
        return {user: self.state.last_days[user] for user in user_ids if user in self.state.last_days}

    def add(self, increments: DashboardIncrements) -> None:
        self.state.written.append(increments)
        for user, (_, day) in increments.last_days.items():
            self.state.last_days[user] = max(day, self.state.last_days.get(user, day))
