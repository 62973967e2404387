"""The mock exam's words in the `/quiz` grammar (`bot/grammar.py` parses the rest):
`exam [TOPIC|all] [QUESTIONS] [MINUTES]`, `exam review | submit | stop | history`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.exam_rules import EXAM_QUESTIONS, MAX_MINUTES, MIN_QUESTIONS


@dataclass(frozen=True)
class StartExam:
    """A timed mock exam: `topic` None means all topics; None counts take the exam's defaults."""

    topic: str | None = None
    questions: int | None = None
    minutes: int | None = None


@dataclass(frozen=True)
class StopExam:
    pass


@dataclass(frozen=True)
class ReviewExam:
    pass


@dataclass(frozen=True)
class SubmitExam:
    pass


@dataclass(frozen=True)
class ShowExamHistory:
    pass


ExamCommand = StartExam | StopExam | ReviewExam | SubmitExam | ShowExamHistory

EXAM_USAGE = "Usage: /quiz exam [TOPIC|all] [QUESTIONS] [MINUTES], e.g. /quiz exam ecs 20 28"
_EXAM_WORDS: dict[str, ExamCommand] = {
    "stop": StopExam(),
    "abandon": StopExam(),
    "review": ReviewExam(),
    "submit": SubmitExam(),
    "finish": SubmitExam(),
    "history": ShowExamHistory(),
}


def parse_exam(typed: list[str]) -> ExamCommand | str:
    """`exam [TOPIC|all] [QUESTIONS] [MINUTES]`, or one of the exam's own words; a string is
    the one-line answer to what cannot be read."""
    if len(typed) == 1 and typed[0].casefold() in _EXAM_WORDS:
        return _EXAM_WORDS[typed[0].casefold()]
    words = list(typed)
    numbers: list[int] = []
    while words and words[-1].isascii() and words[-1].isdigit() and len(numbers) < 2:
        numbers.insert(0, int(words.pop()))
    if any(w.isascii() and w.isdigit() for w in words):
        return EXAM_USAGE
    topic = " ".join(words) or None
    if topic is not None and topic.casefold() in ("all", "any"):
        topic = None
    questions = numbers[0] if numbers else None
    minutes = numbers[1] if len(numbers) > 1 else None
    if questions is not None and not MIN_QUESTIONS <= questions <= EXAM_QUESTIONS:
        return f"An exam has {MIN_QUESTIONS} to {EXAM_QUESTIONS} questions. {EXAM_USAGE}"
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        return f"An exam lasts 1 to {MAX_MINUTES} minutes. {EXAM_USAGE}"
    return StartExam(topic, questions, minutes)
