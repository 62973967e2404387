"""Persistent buttons and menus: the custom_id carries everything a click needs, so a click on a
message posted before a restart reaches the new process. Each click is passed to a `Clicks`
handler.

A multiple-response question gets a select menu instead of buttons. It takes exactly as many
options as the question has right answers (`min_values` = `max_values`): the prompt says so
already ("Choose TWO."), so this gives nothing away, and a slip of the hand (one option, or
three) cannot become a wrong answer; the menu submits when it is closed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

import discord
from discord.ui import Button, DynamicItem, Select, View

from adapters.discord import render
from adapters.discord.exchange import refused
from adapters.discord.reports import REPORT, REPORT_PLACEHOLDER, report_custom_id, report_options
from adapters.discord.turns import DiscordWork
from bot.models import QuestionView
from bot.questions import Kind
from bot.recall import Grade

ANSWER = r"quiz:(?P<instance>[0-9]+):(?P<choice>[0-9])"
REVEAL = r"quiz:(?P<instance>[0-9]+):reveal"
# `rate:1-4` is Again, Hard, Good or Easy; `knew:0|1` the two-button form of messages posted
# before the four grades, still answered (0 Again, 1 Good). A grade names no message: the
# question's message is the one stored with the instance (grading buttons sent before this
# change still carry one, which is ignored).
GRADE = r"quiz:(?P<instance>[0-9]+):(?P<how>rate|knew):(?P<grade>[0-4])(?::[0-9]+)?"
PICKS = r"quiz:(?P<instance>[0-9]+):picks"
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
    in_flight: DiscordWork

    async def answer(self, interaction: discord.Interaction, instance_id: int, choice: int) -> None: ...

    async def pick(self, interaction: discord.Interaction, instance_id: int, choices: list[int]) -> None: ...

    async def reveal(self, interaction: discord.Interaction, instance_id: int) -> None: ...

    async def grade(self, interaction: discord.Interaction, instance_id: int, grade: Grade) -> None: ...

    async def report(self, interaction: discord.Interaction, instance_id: int, reason: str) -> None: ...


OnClick = Callable[[discord.Interaction, re.Match[str]], Coroutine[Any, Any, None]]


def _item_class(template: str, on_click: OnClick, in_flight: DiscordWork) -> type[DynamicItem[Button[View]]]:
    """A button kind whose clicks, matched on `template`, go to `on_click` with the match (or
    are answered "restarting" or "busy" as `in_flight` says)."""

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

        async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
            return not await refused(interaction, in_flight)

        async def callback(self, interaction: discord.Interaction) -> None:
            await on_click(interaction, self.match)

    return QuizButton


OnPick = Callable[[discord.Interaction, re.Match[str], list[str]], Coroutine[Any, Any, None]]


def _menu_class(template: str, on_pick: OnPick, in_flight: DiscordWork) -> type[DynamicItem[Select[View]]]:
    """A select menu kind whose picks, matched on `template`, go to `on_pick` with the values (or
    are answered "restarting" or "busy" as `in_flight` says)."""

    class QuizMenu(DynamicItem[Select[View]], template=template):
        def __init__(self, menu: Select[View], match: re.Match[str]) -> None:
            super().__init__(menu)
            self.match = match

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
        ) -> QuizMenu:
            assert isinstance(item, Select)
            return cls(item, match)

        async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
            return not await refused(interaction, in_flight)

        async def callback(self, interaction: discord.Interaction) -> None:
            await on_pick(interaction, self.match, self.item.values)

    return QuizMenu


@dataclass(frozen=True)
class Buttons:
    """The button and menu kinds of one client: register `kinds` with it, and build views."""

    answer: type[DynamicItem[Button[View]]]
    reveal: type[DynamicItem[Button[View]]]
    grade: type[DynamicItem[Button[View]]]
    picks: type[DynamicItem[Select[View]]]
    report: type[DynamicItem[Select[View]]]

    @property
    def kinds(self) -> tuple[type[DynamicItem[Any]], ...]:
        return (self.answer, self.reveal, self.grade, self.picks, self.report)

    def _item(
        self, kind: type[DynamicItem[Button[View]]], custom_id: str, label: str, style: discord.ButtonStyle
    ) -> DynamicItem[Button[View]]:
        match = kind.__discord_ui_compiled_template__.fullmatch(custom_id)
        assert match is not None, custom_id
        # DynamicItem subclasses take (item, match) as `from_custom_id` gives them; its stub types
        # only the base class's (item, row).
        return kind(Button(label=label, custom_id=custom_id, style=style), match)  # type: ignore[call-arg,arg-type]

    def _menu(self, view: QuestionView) -> DynamicItem[Select[View]]:
        custom_id = f"quiz:{view.instance_id}:picks"
        options = [
            discord.SelectOption(label=render.choice_label(i, choice), value=str(i))
            for i, choice in enumerate(view.choices)
        ]
        menu: Select[View] = Select(
            custom_id=custom_id,
            placeholder=render.pick_placeholder(view.pick_count),
            min_values=view.pick_count,
            max_values=view.pick_count,
            options=options,
        )
        match = self.picks.__discord_ui_compiled_template__.fullmatch(custom_id)
        assert match is not None, custom_id
        # As for buttons: the stub types only the base class's (item, row).
        return self.picks(menu, match)  # type: ignore[call-arg,arg-type]

    def question(self, view: QuestionView) -> View:
        """One button per choice, a menu for a multiple-response question, or Show answer for a
        flashcard."""
        buttons = View(timeout=None)
        if view.kind is Kind.MULTIPLE_RESPONSE:
            buttons.add_item(self._menu(view))
            return buttons
        if view.kind is Kind.FLASHCARD:
            reveal = f"quiz:{view.instance_id}:reveal"
            buttons.add_item(self._item(self.reveal, reveal, "Show answer", discord.ButtonStyle.primary))
        for index, choice in enumerate(view.choices):
            custom_id = f"quiz:{view.instance_id}:{index}"
            label = render.choice_label(index, choice)
            buttons.add_item(self._item(self.answer, custom_id, label, discord.ButtonStyle.secondary))
        return buttons

    def report_menu(self, instance_id: int) -> View:
        """Under an answer's feedback: a menu of reasons to report the question for."""
        custom_id = report_custom_id(instance_id)
        options = report_options()
        menu: Select[View] = Select(custom_id=custom_id, placeholder=REPORT_PLACEHOLDER, options=options)
        match = self.report.__discord_ui_compiled_template__.fullmatch(custom_id)
        assert match is not None, custom_id
        view = View(timeout=None)
        # As for buttons: the stub types only the base class's (item, row).
        view.add_item(self.report(menu, match))  # type: ignore[call-arg,arg-type]
        return view

    def self_grade(self, instance_id: int) -> View:
        """Again, Hard, Good, Easy."""
        buttons = View(timeout=None)
        for grade, label, style in GRADE_BUTTONS:
            custom_id = f"quiz:{instance_id}:rate:{int(grade)}"
            buttons.add_item(self._item(self.grade, custom_id, label, style))
        return buttons


def make_buttons(clicks: Clicks) -> Buttons:
    async def answer(interaction: discord.Interaction, match: re.Match[str]) -> None:
        await clicks.answer(interaction, int(match["instance"]), int(match["choice"]))

    async def reveal(interaction: discord.Interaction, match: re.Match[str]) -> None:
        await clicks.reveal(interaction, int(match["instance"]))

    async def pick(interaction: discord.Interaction, match: re.Match[str], values: list[str]) -> None:
        await clicks.pick(interaction, int(match["instance"]), [int(v) for v in values if v.isdigit()])

    async def grade(interaction: discord.Interaction, match: re.Match[str]) -> None:
        await clicks.grade(interaction, int(match["instance"]), grade_of(match["how"], match["grade"]))

    async def report(interaction: discord.Interaction, match: re.Match[str], values: list[str]) -> None:
        await clicks.report(interaction, int(match["instance"]), values[0] if values else "")

    return Buttons(
        _item_class(ANSWER, answer, clicks.in_flight),
        _item_class(REVEAL, reveal, clicks.in_flight),
        _item_class(GRADE, grade, clicks.in_flight),
        _menu_class(PICKS, pick, clicks.in_flight),
        _menu_class(REPORT, report, clicks.in_flight),
    )
