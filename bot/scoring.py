"""The scoring rules, implemented once. The README's "Scoring" section states the same rules."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Mode
from bot.questions import Difficulty

BASE_POINTS = {Difficulty.EASY: 10, Difficulty.MEDIUM: 15, Difficulty.HARD: 20}
DAILY_MULTIPLIER = 2
STREAK_STEP, STREAK_CAP = 2, 10
DAILY_STREAK_STEP, DAILY_STREAK_CAP = 5, 25


@dataclass(frozen=True)
class Score:
    points: int
    streak: int
    daily_streak: int


def score_answer(
    *,
    correct: bool,
    difficulty: Difficulty,
    mode: Mode,
    late: bool,
    streak: int,
    daily_streak: int,
) -> Score:
    """Points for one first answer, and the streaks after it.

    `streak` counts correct answers in a row; `daily_streak` correct daily questions in a row.
    A late answer (after the daily reveal) scores nothing and leaves both streaks alone.
    """
    if late:
        return Score(0, streak, daily_streak)
    daily = mode is Mode.DAILY
    if not correct:
        return Score(0, 0, 0 if daily else daily_streak)
    new_streak = streak + 1
    new_daily = daily_streak + 1 if daily else daily_streak
    points = BASE_POINTS[difficulty] * (DAILY_MULTIPLIER if daily else 1)
    points += min(STREAK_STEP * (new_streak - 1), STREAK_CAP)
    if daily:
        points += min(DAILY_STREAK_STEP * (new_daily - 1), DAILY_STREAK_CAP)
    if mode in (Mode.REVIEW, Mode.PRIVATE):
        # Asked to one person alone: no points, so they cannot be farmed (README: reviews).
        return Score(0, new_streak, new_daily)
    return Score(points, new_streak, new_daily)
