"""Names are cleaned, checked and capped before they reach the database (SQLite, and PostgreSQL
when configured), so one odd name cannot fail an answer, and is capped wherever it is shown."""

from __future__ import annotations

import asyncio

import pytest

from bot import names
from bot.app.commands import Notice
from bot.app.quiz import QuizService
from bot.app.standings import Standings
from bot.bank import QuestionBank
from bot.bootstrap import Core
from bot.grammar import Invalid, JoinTeam, parse
from bot.models import Actor, Period, Place, Posted, TeamChange
from tests.answering_helpers import SINGLE_ANSWER, right_index

HOSTILE = "\u202eevil\u202c\u200b\u200d\x00\x07 ann\u2066 \ufeff\t\n bob"


def test_control_bidi_and_zero_width_characters_are_dropped_and_whitespace_collapsed() -> None:
    assert names.clean(HOSTILE) == "evil ann bob"
    assert names.clean("e\u0301") == "\u00e9"  # NFC


def test_display_names_are_capped_and_an_actor_carries_the_cleaned_name() -> None:
    actor = Actor("slack", "T1", "U1", "x" * 1_000 + "\x00", "work\u200bspace")
    assert len(actor.display_name) == names.DISPLAY_NAME_MAX
    assert actor.display_name.endswith(names.ELLIPSIS)
    assert actor.workspace_name == "workspace"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("\ufb03" * 40, "at most 40 characters"),  # 40 characters, 120 once case-folded
        ("a" * 41, "at most 40 characters"),
        ("\u200b\u202e\x00", "Give the team a name"),
        ("***", "at least one letter or digit"),
    ],
)
def test_team_names_too_long_once_folded_or_empty_once_cleaned_are_refused(raw: str, problem: str) -> None:
    with pytest.raises(names.BadName, match=problem):
        names.team_name(raw)
    parsed = parse(f"team join {raw}")
    assert isinstance(parsed, Invalid) and problem in parsed.message


def test_a_team_name_is_stored_cleaned() -> None:
    assert parse("team join \u202eOps\u200b  crew") == JoinTeam("Ops crew")


def test_names_are_shown_capped() -> None:
    assert names.shown("a" * 100) == "a" * (names.SHOWN_MAX - 1) + names.ELLIPSIS
    assert names.shown("short") == "short"


async def test_odd_names_do_not_fail_answers_on_the_database(
    service: QuizService, standings: Standings, bank: QuestionBank
) -> None:
    """201 characters, a NUL, bidi and zero-width characters: each answer is recorded, in the
    same moment as ordinary ones (one group commit), and the leaderboard shows them capped."""
    while True:
        result = await service.ask(Actor("slack", "T1", "U0", "zero"), "C1", "ecs")
        assert isinstance(result, Posted)
        if result.question.kind in SINGLE_ANSWER:
            break
    right = right_index(bank, result.question)
    odd = ["y" * 201, "nul\x00name", HOSTILE, "\u200b" * 300, "plain"]
    people = [Actor("slack", "T1", f"U{n}", name) for n, name in enumerate(odd, start=1)]

    outcomes = await asyncio.gather(
        *(service.answer_choice(who, result.question.instance_id, right) for who in people)
    )

    assert [o.correct for o in outcomes] == [True] * len(people)
    board = await standings.leaderboard(Place("slack", "T1", "C1"), Period.ALL)
    shown = sorted(row.name for row in board.rows)
    assert shown == sorted(["y" * 79 + names.ELLIPSIS, "nulname", "evil ann bob", "U4", "plain"])


async def test_a_team_name_that_overflows_once_folded_is_refused_with_a_message(core: Core) -> None:
    ann = Actor("slack", "T1", "U1", "ann")

    refused = await core.commands.execute(ann, "C1", parse("team join " + "\ufb03" * 40))
    joined = await core.commands.execute(ann, "C1", parse("team join " + "\ufb03" * 20))

    assert isinstance(refused, Notice) and "at most 40 characters" in refused.text
    assert isinstance(joined, TeamChange) and joined.team == "\ufb03" * 20
