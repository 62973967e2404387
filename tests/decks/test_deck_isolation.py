"""Issue 18, point 5: a deck belongs to its workspace. Another workspace never sees it in its
topics, questions, autocomplete, question of the day, stats or exports, and a click crafted
with one of its question ids is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app.ports import Repositories
from bot.bank import QuestionBank
from bot.bootstrap import Core
from bot.daily.models import Reveal
from bot.daily.service import PostResult
from bot.errors import QuizError
from bot.grammar import DailyOn
from bot.models import Actor, Mode, Place, Posted, QuestionView, TopicNotFound
from bot.recall import Grade
from tests.conftest import FrozenClock
from tests.decks.workspace_helpers import imported

pytestmark = pytest.mark.timeout(60)
OURS, THEIRS = "slack:T1", "discord:42"
ANN = Actor("slack", "T1", "U1", "Ann", is_admin=True)
BOB = Actor("discord", "42", "U1", "Bob", is_admin=True)


class Poster:
    def __init__(self) -> None:
        self.questions: list[tuple[Place, QuestionView]] = []

    async def post_question(self, target: Place, question: QuestionView) -> str:
        self.questions.append((target, question))
        return f"m{len(self.questions)}"

    async def post_reveal(self, target: Place, reveal: Reveal) -> None:
        return None


async def deck_ids(core: Core) -> set[str]:
    bank = await core.quiz.library.bank_of(ANN)
    return {q.id for q in bank.in_topic("team-terms")}


async def test_one_workspaces_deck_never_reaches_another(core: Core, bank: QuestionBank) -> None:
    await imported(core.decks, OURS)
    ours = await deck_ids(core)
    assert len(ours) == 4
    # Topics and autocomplete.
    assert {"team-terms", "serverless"} <= {t.id for t in await core.quiz.topics(ANN)}
    assert {t.id for t in await core.quiz.topics(BOB)} == {t.id for t in bank.topics}
    assert [t.id for t in await core.quiz.complete_topic(ANN, "team")][:1] == ["team-terms"]
    assert "team-terms" not in {t.id for t in await core.quiz.complete_topic(BOB, "team")}
    # Questions: by the deck's topic, and from all topics.
    assert isinstance(await core.quiz.ask(ANN, "C1", "team-terms"), Posted)
    assert isinstance(await core.quiz.ask(BOB, "C9", "team-terms"), TopicNotFound)
    for _ in range(10):
        result = await core.quiz.ask(BOB, "C9")
        assert isinstance(result, Posted) and result.question.question_id not in ours
    their_bank = await core.quiz.library.bank_of(BOB)
    assert not ours & set(their_bank.by_id)
    # Exports and the deck list.
    assert await core.decks.export_deck(THEIRS, "Team Terms", "apkg") is None
    assert await core.decks.list_decks(THEIRS) == []
    assert not await core.decks.remove_deck(THEIRS, "Team Terms")


async def test_stats_and_readiness_count_a_deck_only_where_it_is(core: Core) -> None:
    await imported(core.decks, OURS, data=None)
    result = await core.quiz.ask(ANN, "C1", "team-terms")
    assert isinstance(result, Posted)
    await core.quiz.answer_self_grade(ANN, result.question.instance_id, Grade.GOOD)
    assert "team-terms" in {t.topic_id for t in (await core.standings.stats(ANN)).by_topic}
    assert "team-terms" in {t.topic_id for t in (await core.learning.readiness(ANN)).topics}
    assert "team-terms" not in {t.topic_id for t in (await core.learning.readiness(BOB)).topics}
    assert (await core.standings.stats(BOB)).by_topic == ()


async def test_the_question_of_the_day_comes_from_the_channels_own_workspace(
    core: Core, clock: FrozenClock
) -> None:
    await imported(core.decks, OURS)
    ours = await deck_ids(core)
    poster = Poster()
    core.daily.posters.update(slack=poster, discord=poster)
    clock.moment = datetime(2026, 11, 17, 18, 0, tzinfo=UTC)
    on = DailyOn("team-terms", 9, 0, "UTC", "mon-sun", None)
    mine = await core.daily.subscribe(ANN, "C1", on)
    with pytest.raises(QuizError, match="No topic 'team-terms'"):
        await core.daily.subscribe(BOB, "C9", on)
    theirs = await core.daily.subscribe(BOB, "C9", DailyOn(None, 9, 0, "UTC", "mon-sun", None))
    assert mine.subscription is not None and theirs.subscription is not None
    due = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    clock.moment = due
    for subscription in (mine.subscription, theirs.subscription):
        assert await core.daily.post_due(subscription.id, due) is PostResult.POSTED
    posted = {target.workspace: view for target, view in poster.questions}
    assert posted["T1"].question_id in ours and posted["T1"].topic_name == "Team Terms"
    assert posted["42"].question_id not in ours
    assert posted["T1"].mode is Mode.DAILY


async def test_a_click_crafted_with_another_workspaces_question_is_refused(core: Core) -> None:
    await imported(core.decks, OURS)
    result = await core.quiz.ask(ANN, "C1", "team-terms")
    assert isinstance(result, Posted)
    theirs_question = result.question.question_id
    # Their own click on our message: refused as before.
    with pytest.raises(QuizError):
        await core.quiz.answer_self_grade(BOB, result.question.instance_id, Grade.GOOD)

    def crafted(repositories: Repositories) -> int:
        """A post in their channel carrying our deck's question id, as a forged request would."""
        workspace = repositories.people.workspace("discord", "42", "", "UTC", datetime.now(UTC))
        channel = repositories.people.channel(workspace.id, "C9")
        return repositories.posts.add(channel, theirs_question, Mode.PRACTICE.value, datetime.now(UTC), None)

    forged = await core.uow.write(crafted)
    with pytest.raises(QuizError, match="not in this workspace's questions"):
        await core.quiz.answer_self_grade(BOB, forged, Grade.GOOD)
    with pytest.raises(QuizError, match="not in this workspace's questions"):
        await core.quiz.answer_text(BOB, forged, "ECR")
    with pytest.raises(QuizError):
        await core.quiz.question_view(forged)
    # Ours still answers.
    outcome = await core.quiz.answer_self_grade(ANN, result.question.instance_id, Grade.GOOD)
    assert outcome.correct
