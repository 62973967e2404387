"""The mock exam in the terminal: its screens as text, and the words that move through it
(letters answer; next, back, flag, go N, review, submit; no one-letter word that
is also a choice's letter)."""

from __future__ import annotations

from bot.app.exam import ExamScreen, ExamService
from bot.choices import LETTERS, parse_letters
from bot.exam_models import (
    ExamHistory,
    ExamQuestion,
    ExamReport,
    ExamReview,
    clock_text,
    share_text,
)
from bot.models import Actor
from bot.questions import Kind

EXAM_KEYS = "Letters answer · next · back · flag · go N · review · submit · /quiz exam stop"


def exam_question(screen: ExamQuestion) -> str:
    view = screen.question
    head = (
        f"Question {screen.position + 1} of {screen.total} · {clock_text(screen.seconds_left)} left"
        f" · {screen.answered} answered"
        + (f" · {screen.flagged_count} flagged" if screen.flagged_count else "")
    )
    choices = "\n".join(
        f"  {'[x]' if i in screen.picked else '[ ]'} {LETTERS[i]}) {c}" for i, c in enumerate(view.choices)
    )
    lines = [head]
    if screen.notice:
        lines.insert(0, screen.notice)
    flag = " (flagged for review)" if screen.flagged else ""
    lines += [f"{view.prompt}{flag}", choices, EXAM_KEYS]
    return "\n".join(lines)


def exam_review(review: ExamReview) -> str:
    lines = [f"Review · {clock_text(review.seconds_left)} left · {review.unanswered} unanswered"]
    for line in review.lines:
        state = "answered" if line.answered else "NOT ANSWERED"
        flag = " · flagged" if line.flagged else ""
        lines.append(f"  {line.position + 1:>2}. {state}{flag} · {line.prompt[:60]}")
    lines.append("go N opens a question; submit ends the exam.")
    return "\n".join(lines)


def exam_report(result: ExamReport) -> str:
    verdict = "PASS" if result.passed else "FAIL"
    lines = [
        *([result.notice] if result.notice else []),
        ("Time is up: the exam was submitted at its deadline." if result.timed_out else "Exam submitted."),
        f"Score: {result.score} / 1000 · {verdict} (pass: 700; an estimate of AWS's scale)",
        f"Right: {share_text(result.correct, result.total)} · answered {result.answered}"
        f" · time used {clock_text(result.seconds_used)} of {result.minutes} min",
        "By domain:",
        *(f"  {a.name}: {share_text(a.correct, a.total)}" for a in result.by_domain),
        "By topic:",
        *(f"  {a.name}: {share_text(a.correct, a.total)}" for a in result.by_topic),
    ]
    if result.missed:
        lines.append(f"Missed ({len(result.missed)}):")
    for missed in result.missed:
        picked = "; ".join(missed.picked) if missed.picked else "(not answered)"
        lines += [
            f"  {missed.position + 1}. {missed.prompt}",
            f"     Your answer: {picked}",
            f"     Right answer: {'; '.join(missed.right)}",
            f"     {missed.explanation}",
        ]
    return "\n".join(lines)


def exam_history(history: ExamHistory) -> str:
    if not history.attempts:
        return "No exams submitted yet. Start one: /quiz exam"
    lines = ["Your exams, newest first:"]
    for attempt in history.attempts:
        verdict = "pass" if attempt.passed else "fail"
        lines.append(
            f"  {attempt.finished_at:%Y-%m-%d %H:%M} · {attempt.score} ({verdict})"
            f" · {share_text(attempt.correct, attempt.total)} · {attempt.topic_name}"
        )
    if history.trend is not None:
        lines.append(f"Trend: {history.trend:+d} against your earlier average.")
    return "\n".join(lines)


def exam_screen(screen: ExamScreen) -> str:
    match screen:
        case ExamQuestion():
            return exam_question(screen)
        case ExamReview():
            return exam_review(screen)
    return exam_report(screen)


async def exam_step(
    exams: ExamService, actor: Actor, screen: ExamQuestion | ExamReview, text: str
) -> ExamScreen | str:
    """One typed line during an exam: the next screen, or a hint when it means nothing here."""
    words = text.strip().casefold().split()
    exam_id = screen.exam_id
    position = screen.position if isinstance(screen, ExamQuestion) else 0
    match words:
        case ["next" | "n"]:
            return await exams.go(actor, exam_id, min(position + 1, _total(screen) - 1))
        case ["back" | "previous" | "prev" | "p"]:
            return await exams.go(actor, exam_id, max(position - 1, 0))
        case ["flag"] if isinstance(screen, ExamQuestion):
            return await exams.flag(actor, exam_id, position)
        case ["go" | "g", number] if number.isdigit():
            return await exams.go(actor, exam_id, int(number) - 1)
        case ["review" | "r"]:
            return await exams.review(actor, exam_id)
        case ["submit"]:
            return await exams.submit(actor, exam_id)
    if isinstance(screen, ExamQuestion):
        picks = parse_letters(text, len(screen.question.choices))
        if picks is not None:
            return await exams.choose(actor, exam_id, position, picks)
        if screen.question.kind is Kind.MULTIPLE_RESPONSE:
            return f"Pick {screen.question.pick_count} letters, like B, D. {EXAM_KEYS}"
    return EXAM_KEYS


def _total(screen: ExamQuestion | ExamReview) -> int:
    return screen.total if isinstance(screen, ExamQuestion) else len(screen.lines)
