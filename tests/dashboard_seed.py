"""A small workspace with known numbers for the dashboard's tests, seeded through the real
answer path (so the pre-aggregated tables are what the answers wrote)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.bank import QuestionBank
from bot.bootstrap import Core
from bot.daily.delivery import PostResult
from bot.daily.models import Reveal
from bot.grammar import DailyOn, parse
from bot.models import Actor, Place, Posted, QuestionView
from bot.questions import Kind
from tests.conftest import FrozenClock

WORKSPACE = "T1"
OTHER_WORKSPACE = "T2"
CHANNEL = "C1"


def person(user: str, workspace: str = WORKSPACE) -> Actor:
    names = {"U1": "Alice", "U2": "Bob", "U3": "Carol", "U4": "Dave", "U9": "Zed"}
    return Actor("slack", workspace, user, names[user], workspace_name=f"Team {workspace}")


@dataclass(frozen=True)
class Seed:
    hard_question: str  # answered by Alice (right), Bob and Carol (both the same wrong choice)
    hard_prompt: str
    wrong_choice: str
    easy_question: str  # answered right by Alice and Carol
    topic: str  # the hard question's primary topic


async def _choice_question(
    core: Core, bank: QuestionBank, who: Actor, topic: str, channel: str = CHANNEL
) -> Posted:
    while True:
        result = await core.quiz.ask(who, channel, topic)
        assert isinstance(result, Posted)
        if result.question.kind in (Kind.MULTIPLE_CHOICE, Kind.TRUE_FALSE):
            return result


def _shown_index(bank: QuestionBank, posted: Posted) -> int:
    """Where the question's right choice is shown (choices are shown shuffled)."""
    return posted.question.choices.index(bank.by_id[posted.question.question_id].answers[0])


class _Poster:
    def __init__(self) -> None:
        self.posted: list[QuestionView] = []

    async def post_question(self, target: Place, question: QuestionView) -> str:
        self.posted.append(question)
        return f"daily-{question.instance_id}"

    async def post_reveal(self, target: Place, reveal: Reveal) -> None:
        """Reveals are not part of the dashboard's seed."""


async def _question_of_the_day(
    core: Core, bank: QuestionBank, clock: FrozenClock, right: Actor, wrong: Actor
) -> None:
    """Today's question of the day on docker, posted at 09:00 Berlin: one right, one wrong."""
    admin = Actor("slack", WORKSPACE, "U1", "Alice", is_admin=True)
    poster = _Poster()
    core.daily.posters["slack"] = poster
    command = parse("daily on docker at 09:00 Europe/Berlin")
    assert isinstance(command, DailyOn)
    report = await core.daily.subscribe(admin, CHANNEL, command)
    assert report.subscription is not None
    clock.advance(hours=-4)
    assert await core.daily.post_due(report.subscription.id, clock.now()) is PostResult.POSTED
    clock.advance(hours=4)
    (posted,) = poster.posted
    answer = bank.by_id[posted.question_id].answer
    await core.quiz.answer_text(right, posted.instance_id, answer)
    if posted.choices:
        wrong_index = (posted.choices.index(answer) + 1) % len(posted.choices)
        await core.quiz.answer_choice(wrong, posted.instance_id, wrong_index)
    else:
        await core.quiz.answer_text(wrong, posted.instance_id, "certainly not this")


async def seed(core: Core, bank: QuestionBank, clock: FrozenClock) -> Seed:
    """Dave answers ten days ago (inactive since); today Alice, Bob and Carol answer five
    times, three of them right. Alice and Bob are in team Red, Carol in Blue, Dave in none.
    Another workspace (T2) has Zed, whose data must never show in T1."""
    alice, bob, carol, dave = (person(u) for u in ("U1", "U2", "U3", "U4"))
    await core.teams.join_team(alice, "Red")
    await core.teams.join_team(bob, "Red")
    await core.teams.join_team(carol, "Blue")
    clock.advance(days=-10)
    old = await _choice_question(core, bank, dave, "ecr")
    await core.quiz.answer_choice(dave, old.question.instance_id, 0)
    clock.advance(days=10)
    hard = await _choice_question(core, bank, alice, "ecs")
    right = _shown_index(bank, hard)
    wrong = (right + 1) % len(hard.question.choices)
    await core.quiz.answer_choice(alice, hard.question.instance_id, right)
    await core.quiz.answer_choice(bob, hard.question.instance_id, wrong)
    await core.quiz.answer_choice(carol, hard.question.instance_id, wrong)
    easy = await _choice_question(core, bank, alice, "lambda")
    easy_right = _shown_index(bank, easy)
    await core.quiz.answer_choice(alice, easy.question.instance_id, easy_right)
    await core.quiz.answer_choice(carol, easy.question.instance_id, easy_right)
    await _question_of_the_day(core, bank, clock, alice, carol)
    zed = person("U9", OTHER_WORKSPACE)
    other = await _choice_question(core, bank, zed, "docker", "C9")
    await core.quiz.answer_choice(zed, other.question.instance_id, 0)
    question = bank.by_id[hard.question.question_id]
    return Seed(
        question.id,
        question.prompt,
        hard.question.choices[wrong],
        easy.question.question_id,
        question.primary_topic,
    )
