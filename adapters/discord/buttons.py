"""Persistent buttons: the custom_id carries everything a click needs, so a click on a message
posted before a restart reaches the new process. Each click is passed to a `Clicks` handler.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

import discord
from discord.ui import Button, DynamicItem, View

from adapters.discord import render
from bot.models import QuestionView
from bot.questions import Kind
from bot.recall import Grade

ANSWER = r"quiz:(?P<instance>[0-9]+):(?P<choice>[0-9])"
REVEAL = r"quiz:(?P<instance>[0-9]+):reveal"
# `rate:1-4` is Again, Hard, Good or Easy; `knew:0|1` the two-button form of messages posted
# before the four grades, still answered (0 Again, 1 Good).
GRADE = r"quiz:(?P<instance>[0-9]+):(?P<how>rate|knew):(?P<grade>[0-4]):(?P<message>[0-9]+)"
GRADE_BUTTONS = (
    (Grade.AGAIN, "Again", discord.ButtonStyle.secondary),
    (Grade.HARD, "Hard", discord.ButtonStyle.secondary),
    (Grade.GOOD, "Good", discord.ButtonStyle.success),
    (Grade.EASY, "Easy", discord.ButtonStyle.secondary),
)


def grade_of(how: str, value: str) -> Grade:
    if how == "knew":
        return Grade.GOOD if value == "1" else Grade.AGAIN
    return Grade(int(value))


class Clicks(Protocol):
    async def answer(self, interaction: discord.Interaction, instance_id: int, choice: int) -> None: ...

    async def reveal(self, interaction: discord.Interaction, instance_id: int) -> None: ...

    async def grade(
        self, interaction: discord.Interaction, instance_id: int, grade: Grade, message_id: int
    ) -> None: ...


OnClick = Callable[[discord.Interaction, re.Match[str]], Coroutine[Any, Any, None]]


def _item_class(template: str, on_click: OnClick) -> type[DynamicItem[Button[View]]]:
    """A button kind whose clicks, matched on `template`, go to `on_click` with the match."""

    class QuizButton(DynamicItem[Button[View]], template=template):
        def __init__(self, button: Button[View], match: re.Match[str]) -> None:
            super().__init__(button)
            self.match = match

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
        ) -> QuizButton:
            assert isinstance(item, Button)
            return cls(item, match)

        async def callback(self, interaction: discord.Interaction) -> None:
            await on_click(interaction, self.match)

    return QuizButton


@dataclass(frozen=True)
class Buttons:
    """The button kinds of one client: register `kinds` with it, and build views from them."""

    answer: type[DynamicItem[Button[View]]]
    reveal: type[DynamicItem[Button[View]]]
    grade: type[DynamicItem[Button[View]]]

    @property
    def kinds(self) -> tuple[type[DynamicItem[Button[View]]], ...]:
        return (self.answer, self.reveal, self.grade)

    def _item(
        self, kind: type[DynamicItem[Button[View]]], custom_id: str, label: str, style: discord.ButtonStyle
    ) -> DynamicItem[Button[View]]:
        match = kind.__discord_ui_compiled_template__.fullmatch(custom_id)
        assert match is not None, custom_id
        # DynamicItem subclasses take (item, match) as `from_custom_id` gives them; its stub types
        # only the base class's (item, row).
        return kind(Button(label=label, custom_id=custom_id, style=style), match)  # type: ignore[call-arg,arg-type]

    def question(self, view: QuestionView) -> View:
        """One button per choice, or Show answer for a flashcard."""
        buttons = View(timeout=None)
        if view.kind is Kind.FLASHCARD:
            reveal = f"quiz:{view.instance_id}:reveal"
            buttons.add_item(self._item(self.reveal, reveal, "Show answer", discord.ButtonStyle.primary))
        for index, choice in enumerate(view.choices):
            custom_id = f"quiz:{view.instance_id}:{index}"
            label = render.choice_label(index, choice)
            buttons.add_item(self._item(self.answer, custom_id, label, discord.ButtonStyle.secondary))
        return buttons

    def self_grade(self, instance_id: int, question_message_id: int) -> View:
        """Again, Hard, Good, Easy: `question_message_id` is where the answer count is shown."""
        buttons = View(timeout=None)
        for grade, label, style in GRADE_BUTTONS:
            custom_id = f"quiz:{instance_id}:rate:{int(grade)}:{question_message_id}"
            buttons.add_item(self._item(self.grade, custom_id, label, style))
        return buttons


def make_buttons(clicks: Clicks) -> Buttons:
    async def answer(interaction: discord.Interaction, match: re.Match[str]) -> None:
        await clicks.answer(interaction, int(match["instance"]), int(match["choice"]))

    async def reveal(interaction: discord.Interaction, match: re.Match[str]) -> None:
        await clicks.reveal(interaction, int(match["instance"]))

    async def grade(interaction: discord.Interaction, match: re.Match[str]) -> None:
        grade = grade_of(match["how"], match["grade"])
        await clicks.grade(interaction, int(match["instance"]), grade, int(match["message"]))

    return Buttons(_item_class(ANSWER, answer), _item_class(REVEAL, reveal), _item_class(GRADE, grade))
