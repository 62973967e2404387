"""The quiz's rules on the in-memory unit of work (`tests.memory`): the core's tests of asking,
answering, scoring, leaderboards, teams, the question of the day and mock exams, run again with
no database.

They are the same test functions as `tests/test_service.py` and `tests/test_daily.py` (those that
do not reach for a database of their own); here the `core` they are given is wired to memory.
"""

import random

import pytest

from bot.app.ports import Repositories
from bot.bank import QuestionBank
from bot.bootstrap import Services, wire
from tests.conftest import FrozenClock
from tests.memory import MemoryUnitOfWork
from tests.test_daily import (  # noqa: F401  (fixtures and tests collected here again)
    daily,
    poster,
    test_a_claim_held_by_a_live_process_is_not_taken_over,
    test_a_crash_between_claim_and_send_is_recovered_once,
    test_a_new_subscription_owes_nothing_due_before_it_was_made,
    test_a_permanent_error_in_a_batch_pauses_only_that_channel,
    test_a_permanently_failing_channel_is_paused_while_the_others_are_posted,
    test_a_restart_within_the_grace_window_posts_late_and_outside_it_skips,
    test_a_time_job_posts_its_live_subscriptions_as_one_batch_once,
    test_a_transient_error_leaves_the_claim_for_recovery_without_holding_up_the_others,
    test_consecutive_correct_daily_answers_make_a_streak,
    test_nine_oclock_berlin_stays_nine_oclock_across_daylight_saving,
    test_one_job_per_distinct_time_follows_the_subscriptions,
    test_only_admins_turn_the_question_of_the_day_on_or_off,
    test_posts_on_both_sides_of_a_dst_change_land_on_their_local_dates,
    test_subscribing_checks_times_zones_and_topics,
    test_the_reveal_reports_the_channel_and_its_teams,
)
from tests.test_exam import (  # noqa: F401  (tests collected here again)
    test_a_new_exam_after_an_unsubmitted_deadline_says_how_the_last_one_went,
    test_an_exam_is_scored_all_or_nothing,
    test_exam_answers_update_stats_but_score_no_points,
    test_flagged_questions_are_revisited_before_submitting,
    test_history_lists_scores_and_trend,
    test_one_exam_at_a_time_and_stop,
    test_stopping_one_exam_keeps_the_other_exams_deadlines,
)
from tests.test_service import (  # noqa: F401  (tests collected here again)
    test_a_question_asked_on_a_topic_is_headed_by_that_topic,
    test_a_question_on_a_topic_hides_its_answer,
    test_a_topic_without_questions_says_so,
    test_answers_from_another_workspace_are_refused,
    test_equal_scores_share_a_rank,
    test_flashcards_accept_typed_answers_and_self_grading,
    test_leaderboard_periods_turn_over_in_the_workspace_time_zone,
    test_one_answer_per_user_counts_under_concurrency,
    test_other_topics_asked_in_between_do_not_bring_a_question_back_early,
    test_questions_do_not_repeat_until_the_topic_is_used_up,
    test_right_answer_scores_and_a_repeat_returns_the_first_result,
    test_stats_by_topic,
    test_teams_join_leave_list_and_score,
    test_the_message_showing_a_question_is_read_back_as_stored,
    test_unknown_topics_get_suggestions_or_the_list,
)
from tests.test_teams import (  # noqa: F401  (tests collected here again)
    test_a_name_close_to_a_team_is_offered_that_team_instead_of_a_second_one,
    test_a_team_left_empty_is_removed,
    test_admins_rename_and_delete_teams_and_no_one_else_can,
)


@pytest.fixture
def core(bank: QuestionBank, clock: FrozenClock) -> Services:
    """What `bot.bootstrap.compose` builds, on memory instead of a database."""
    return wire(MemoryUnitOfWork(), bank, clock, "Europe/Berlin", rng=random.Random(7))


async def test_work_that_raises_leaves_no_trace(core: Services, clock: FrozenClock) -> None:
    """The fake keeps the unit of work's promise, as the rules above rely on it."""
    uow = core.uow
    assert isinstance(uow, MemoryUnitOfWork)

    def create_then_fail(repositories: Repositories) -> None:
        repositories.people.workspace("slack", "T1", "", "UTC", clock.now())
        raise RuntimeError("refused half-way")

    with pytest.raises(RuntimeError):
        await uow.write(create_then_fail)
    assert await uow.read(lambda r: r.people.find_workspace("slack", "T1")) is None
