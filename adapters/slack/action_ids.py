"""The `action_id`s of Studybot's buttons: what they carry, and the patterns that match them.

A button's id carries the question instance and, for answers and self-grades, the choice, so a
click needs nothing but its payload to reach the core. A multiple-response question has
checkboxes (`picks`), whose ticks Slack reports one by one and which count for nothing, and a
Submit button whose payload carries the ticked boxes in its state.
"""

from __future__ import annotations

import re

from bot.recall import Grade

ANSWER = re.compile(r"^answer:(\d+):(\d+)$")
SHOW_FLASHCARD = re.compile(r"^flashcard:(\d+)$")
# `rate:INSTANCE:GRADE` (1-4: Again, Hard, Good, Easy); `grade:INSTANCE:0|1` is the two-button
# form of messages posted before the four grades, still answered (0 Again, 1 Good).
SELF_GRADE = re.compile(r"^(?:rate:(\d+):([1-4])|grade:(\d+):([01]))$")
PICKS = re.compile(r"^picks:(\d+)$")
SUBMIT = re.compile(r"^submit:(\d+)$")


def answer(instance_id: int, index: int) -> str:
    return f"answer:{instance_id}:{index}"


def show_flashcard(instance_id: int) -> str:
    return f"flashcard:{instance_id}"


def self_grade(instance_id: int, grade: Grade) -> str:
    return f"rate:{instance_id}:{int(grade)}"


def graded(action_id: str) -> tuple[int, Grade]:
    """The instance and the grade a self-grade button carries."""
    match = SELF_GRADE.match(action_id)
    if match is None:
        raise ValueError(f"not a Studybot grade: {action_id!r}")
    if match[1] is not None:
        return int(match[1]), Grade(int(match[2]))
    return int(match[3]), Grade.GOOD if match[4] == "1" else Grade.AGAIN


def picks(instance_id: int) -> str:
    """The checkboxes of a multiple-response question."""
    return f"picks:{instance_id}"


def submit(instance_id: int) -> str:
    return f"submit:{instance_id}"


def numbers(pattern: re.Pattern[str], action_id: str) -> tuple[int, ...]:
    """The numbers an id carries; the listener's pattern already matched it."""
    match = pattern.match(action_id)
    if match is None:
        raise ValueError(f"not a Studybot action: {action_id!r}")
    return tuple(int(group) for group in match.groups())
