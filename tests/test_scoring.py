from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.models import Mode, Period
from bot.periods import period_key, period_start
from bot.questions import Difficulty
from bot.scoring import Score, score_answer


def score(**overrides: object) -> Score:
    arguments: dict[str, object] = dict(
        correct=True, difficulty=Difficulty.EASY, mode=Mode.PRACTICE, late=False, streak=0, daily_streak=0
    )
    return score_answer(**{**arguments, **overrides})  # type: ignore[arg-type]


def test_points_by_difficulty_and_mode() -> None:
    assert score().points == 10
    assert score(difficulty=Difficulty.MEDIUM).points == 15
    assert score(difficulty=Difficulty.HARD).points == 20
    assert score(mode=Mode.DAILY).points == 20


def test_streak_bonus_grows_then_caps() -> None:
    assert score(streak=1) == Score(12, 2, 0)
    assert score(streak=4).points == 18
    assert score(streak=50).points == 20


def test_daily_streak_bonus() -> None:
    assert score(mode=Mode.DAILY, daily_streak=2) == Score(20 + 0 + 10, 1, 3)
    assert score(mode=Mode.DAILY, daily_streak=30).points == 20 + 25


def test_wrong_answers_reset_streaks_and_late_ones_change_nothing() -> None:
    assert score(correct=False, streak=5, daily_streak=3) == Score(0, 0, 3)
    assert score(correct=False, mode=Mode.DAILY, streak=5, daily_streak=3) == Score(0, 0, 0)
    assert score(late=True, streak=5, daily_streak=3) == Score(0, 5, 3)


def test_weeks_and_months_follow_the_local_calendar() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    # Sunday 2026-11-29 16:00 UTC is already Monday 01:00 in Tokyo: a new ISO week there.
    sunday_utc = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
    assert period_key(Period.WEEK, sunday_utc, ZoneInfo("UTC")) == "w2026-48"
    assert period_key(Period.WEEK, sunday_utc, tokyo) == "w2026-49"
    # 30 November 20:00 UTC is 1 December in Tokyo.
    assert period_key(Period.MONTH, datetime(2026, 11, 30, 20, 0, tzinfo=UTC), tokyo) == "m2026-12"
    assert period_start(Period.WEEK, sunday_utc, tokyo) == datetime(2026, 11, 30, tzinfo=tokyo)
    assert period_start(Period.ALL, sunday_utc, tokyo) is None
