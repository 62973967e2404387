"""A worst-case score report for the renderers' size limits: 65 questions of the shipped bank,
none answered, so every one of them is listed as missed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app.exam_ports import SUBMITTED, ExamItem, ExamRecord
from bot.app.exam_report import report
from bot.bank import load_bank
from bot.exam_models import ExamReport
from bot.exam_rules import exam_shaped
from tests.conftest import CONTENT_DIR


def all_missed() -> ExamReport:
    bank = load_bank(CONTENT_DIR)
    longest = sorted(exam_shaped(bank.questions), key=lambda q: -len(q.prompt + q.explanation))[:65]
    started = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    exam = ExamRecord(
        1, 1, 1, None, 65, 90, "UTC", started, started + timedelta(minutes=90), SUBMITTED, 0, None, 0, 100
    )
    items = [ExamItem(n, q.id, None, None, False, None) for n, q in enumerate(longest)]
    return report(bank, exam, items, timed_out=True)
