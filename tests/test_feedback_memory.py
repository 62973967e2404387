"""The report and statistics tests of `tests/test_feedback.py` again, on the in-memory unit of
work (the repository's rules, with no database)."""

import pytest

from bot.bank import QuestionBank
from bot.bootstrap import Services, wire
from tests.conftest import FrozenClock
from tests.memory import MemoryUnitOfWork
from tests.test_feedback import (  # noqa: F401  (tests collected here again)
    test_a_multiple_response_answer_counts_each_wrong_pick,
    test_a_report_is_stored_with_its_question_and_reporter_and_acknowledged,
    test_a_report_needs_a_question_of_the_reporters_own_workspace,
    test_admins_see_only_their_workspaces_reports_and_the_cli_sees_all,
    test_answers_add_up_to_the_counters_with_wrong_choices_by_text,
    test_thirty_distinct_people_are_needed_for_a_flag,
)


@pytest.fixture
def services(bank: QuestionBank, clock: FrozenClock) -> Services:
    return wire(MemoryUnitOfWork(), bank, clock)
