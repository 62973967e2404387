"""Block Kit for the mock exam, shown in the person's direct messages with Studybot: one
message per exam, updated in place as they answer, move, flag, review and submit.

Action ids carry the exam and the question's position, so a click needs nothing but its
payload: `exam:ID:VERB:POSITION[:CHOICE]`. A multiple-response question has checkboxes
(`exampicks:ID:POSITION`, ticks that count for nothing) and a Save button whose payload carries
the ticked boxes in its state.
"""

from __future__ import annotations

import re
from datetime import datetime

from adapters.slack.kit import Block, Message, button, checkboxes, context, header, message, section
from adapters.slack.mrkdwn import escape
from bot.choices import LETTERS
from bot.exam_models import (
    ExamHistory,
    ExamQuestion,
    ExamReport,
    ExamReview,
    clock_text,
    share_text,
)
from bot.questions import Kind

EXAM_ACTION = re.compile(r"^exam:(\d+):(answer|save|next|back|flag|go|review|submit):(\d+)(?::(\d+))?$")
EXAM_PICKS = re.compile(r"^exampicks:(\d+):(\d+)$")
GO_BUTTONS = 20
MISSED_SHOWN = 20


def action(exam_id: int, verb: str, position: int, choice: int | None = None) -> str:
    return f"exam:{exam_id}:{verb}:{position}" + ("" if choice is None else f":{choice}")


def picks_id(exam_id: int, position: int) -> str:
    return f"exampicks:{exam_id}:{position}"


def _ends(deadline: datetime) -> str:
    """The deadline in the reader's own time zone (Slack's date token), with a UTC fallback."""
    return f"<!date^{int(deadline.timestamp())}^{{time}}|{deadline:%H:%M} UTC>"


def question(screen: ExamQuestion) -> Message:
    view, exam_id, position = screen.question, screen.exam_id, screen.position
    marked = [("◉ " if i in screen.picked else "") + f"{LETTERS[i]}. {c}" for i, c in enumerate(view.choices)]
    if view.kind is Kind.MULTIPLE_RESPONSE:
        answer_row: list[Block] = [
            checkboxes(
                picks_id(exam_id, position), [f"{LETTERS[i]}. {c}" for i, c in enumerate(view.choices)]
            ),
            button("Save answer", action(exam_id, "save", position), str(position), "primary"),
        ]
        hint = f"Tick {view.pick_count}, then Save answer."
    else:
        answer_row = [
            button(
                label,
                action(exam_id, "answer", position, i),
                str(i),
                "primary" if i in screen.picked else None,
            )
            for i, label in enumerate(marked)
        ]
        hint = "Pick an answer; you can change it until you submit."
    moves = [
        *([button("Back", action(exam_id, "back", position), "back")] if position > 0 else []),
        *([button("Next", action(exam_id, "next", position), "next")] if position + 1 < screen.total else []),
        button("Unflag" if screen.flagged else "Flag for review", action(exam_id, "flag", position), "flag"),
        button("Review and submit", action(exam_id, "review", position), "review"),
    ]
    picked = ", ".join(LETTERS[i] for i in screen.picked) or "none yet"
    counter = (
        f"Question {position + 1} of {screen.total} · {clock_text(screen.seconds_left)} left"
        f" (ends {_ends(screen.deadline)}) · {screen.answered} answered · {screen.flagged_count} flagged"
    )
    blocks: list[Block] = [
        context(counter),
        section(f"*{escape(view.prompt)}*" + (" :triangular_flag_on_post:" if screen.flagged else "")),
        {"type": "actions", "block_id": f"exam-answer:{exam_id}:{position}", "elements": answer_row},
        context(f"{escape(view.topic_name)} · your answer: {picked} · {hint}"),
        {"type": "actions", "block_id": f"exam-moves:{exam_id}:{position}", "elements": moves},
    ]
    if screen.notice:
        blocks.insert(0, section(escape(screen.notice)))
    return message(f"Exam question {position + 1} of {screen.total}: {view.prompt}", blocks)


def review(screen: ExamReview) -> Message:
    lines = []
    for line in screen.lines:
        state = "answered" if line.answered else "*not answered*"
        flag = " · :triangular_flag_on_post: flagged" if line.flagged else ""
        lines.append(f"{line.position + 1}. {state}{flag}")
    worth_a_look = [line for line in screen.lines if line.flagged or not line.answered][:GO_BUTTONS]
    goes = [
        button(f"Go to {line.position + 1}", action(screen.exam_id, "go", line.position), "go")
        for line in worth_a_look
    ]
    submit = button(
        "Submit exam",
        action(screen.exam_id, "submit", 0),
        "submit",
        "danger" if screen.unanswered else "primary",
    )
    submit["confirm"] = {
        "title": {"type": "plain_text", "text": "Submit the exam?"},
        "text": {
            "type": "plain_text",
            "text": f"{screen.unanswered} unanswered. You cannot change answers after.",
        },
        "confirm": {"type": "plain_text", "text": "Submit"},
        "deny": {"type": "plain_text", "text": "Keep going"},
    }
    blocks: list[Block] = [
        context(
            f"Review · {clock_text(screen.seconds_left)} left (ends {_ends(screen.deadline)})"
            f" · {screen.unanswered} unanswered"
        ),
        section("\n".join(lines)),
    ]
    for start in range(0, len(goes), 5):
        blocks.append({"type": "actions", "elements": goes[start : start + 5]})
    blocks.append({"type": "actions", "elements": [submit]})
    return message("Exam review", blocks)


def report(result: ExamReport) -> Message:
    verdict = ":white_check_mark: PASS" if result.passed else ":x: FAIL"
    lead = "Time is up: the exam was submitted at its deadline." if result.timed_out else "Exam submitted."
    blocks: list[Block] = [
        header(f"Score: {result.score} / 1000"),
        section(
            f"{verdict} (pass mark 700) · {share_text(result.correct, result.total)} right · "
            f"{result.answered} answered · time used {clock_text(result.seconds_used)}"
            f" of {result.minutes} min"
        ),
        context(f"{lead} The scaled score is Studybot's estimate: AWS does not publish its mapping."),
        section(
            "*By domain*\n"
            + "\n".join(f"{escape(a.name)}: {share_text(a.correct, a.total)}" for a in result.by_domain)
        ),
        section(
            "*By topic*\n"
            + "\n".join(f"{escape(a.name)}: {share_text(a.correct, a.total)}" for a in result.by_topic)
        ),
    ]
    if result.notice:
        blocks.insert(0, section(escape(result.notice)))
    for missed in result.missed[:MISSED_SHOWN]:
        picked = "; ".join(escape(p) for p in missed.picked) or "_not answered_"
        blocks.append(
            section(
                f"*{missed.position + 1}. {escape(missed.prompt)}*\nYour answer: {picked}\n"
                f"Right answer: *{'; '.join(escape(r) for r in missed.right)}*\n{escape(missed.explanation)}"[
                    :2900
                ]
            )
        )
    if len(result.missed) > MISSED_SHOWN:
        blocks.append(context(f"…and {len(result.missed) - MISSED_SHOWN} more missed questions."))
    return message(f"Exam score: {result.score} / 1000", blocks)


def history(result: ExamHistory) -> Message:
    if not result.attempts:
        return message("No exams yet", [section("No exams submitted yet. Start one: `/quiz exam`")])
    lines = [
        f"{a.finished_at:%Y-%m-%d} · *{a.score}* ({'pass' if a.passed else 'fail'}) · "
        f"{share_text(a.correct, a.total)} · {escape(a.topic_name)}"
        for a in result.attempts
    ]
    if result.trend is not None:
        lines.append(f"Trend: {result.trend:+d} against your earlier average.")
    return message("Your exams", [section("*Your exams, newest first*\n" + "\n".join(lines))])


def screen(result: ExamQuestion | ExamReview | ExamReport) -> Message:
    match result:
        case ExamQuestion():
            return question(result)
        case ExamReview():
            return review(result)
    return report(result)
