"""A workspace's own decks in the database (issue 18, points 1, 3 and 4): stored on both
backends, replaced with their history kept, all or nothing, held to their limits."""

from __future__ import annotations

import json

import pytest

from bot.app.deck_ports import DeckAdmin
from bot.app.decks import DeckService, stable_id
from bot.bank import QuestionBank
from bot.bootstrap import Core, compose, wire
from bot.db.database import Database
from bot.decks.limits import MAX_DECKS
from bot.errors import QuizError
from bot.exam_models import ExamQuestion, ExamReport
from bot.models import Actor, Posted, TopicNotFound
from bot.recall import Grade
from tests.conftest import FrozenClock
from tests.decks.workspace_helpers import imported, team_csv
from tests.memory import MemoryUnitOfWork

pytestmark = pytest.mark.timeout(60)
T1 = "slack:T1"
ANN = Actor("slack", "T1", "U1", "Ann")


async def ask_until(core: Core, actor: Actor, topic: str, prompt: str) -> Posted:
    """Ask on `topic` until the question with this prompt comes (a deck's pool is small)."""
    bank = await core.quiz.library.bank_of(actor)
    for _ in range(50):
        result = await core.quiz.ask(actor, "C1", topic)
        assert isinstance(result, Posted), result
        if bank.by_id[result.question.question_id].prompt == prompt:
            return result
    raise AssertionError(f"never asked: {prompt}")


async def test_a_deck_is_stored_listed_exported_and_asked_in_its_workspace(core: Core) -> None:
    admin: DeckAdmin = core.decks
    report = await admin.import_deck(T1, "Team Terms", "team.csv", team_csv())
    assert (report.stored, report.questions, report.format, report.replaced) == (True, 4, "csv", False)
    [summary] = await admin.list_decks(T1)
    assert (summary.name, summary.topic_id, summary.questions, summary.source_file) == (
        "Team Terms",
        "team-terms",
        4,
        "team.csv",
    )
    topics = {t.id: t for t in await core.quiz.topics(ANN)}
    assert topics["team-terms"].name == "Team Terms" and topics["team-terms"].question_count == 4
    assert topics["serverless"].question_count == 1  # a tag is a topic of its own
    assert "ecs" in topics  # the shipped bank is still on
    result = await core.quiz.ask(ANN, "C1", "Team Terms")
    assert isinstance(result, Posted) and result.question.topic_name == "Team Terms"
    exported = await admin.export_deck(T1, "team terms", "csv")
    assert exported is not None and exported.filename == "team-terms.csv"
    assert b"Which registry stores our images?" in exported.data


async def test_the_built_in_bank_can_be_turned_off_and_on(core: Core, bank: QuestionBank) -> None:
    await imported(core.decks, T1)
    await core.decks.set_builtin(T1, False)
    assert not await core.decks.builtin_enabled(T1)
    assert {t.id for t in await core.quiz.topics(ANN)} == {"team-terms", "serverless"}
    for _ in range(6):
        result = await core.quiz.ask(ANN, "C1")
        assert isinstance(result, Posted) and result.question.question_id not in bank.by_id
    await core.decks.set_builtin(T1, True)
    assert await core.decks.builtin_enabled(T1)
    assert "ecs" in {t.id for t in await core.quiz.topics(ANN)}


async def test_a_reimport_replaces_the_questions_and_keeps_the_history_of_unchanged_ones(core: Core) -> None:
    await imported(core.decks, T1)
    kept_prompt = "Which registry stores our images?"
    result = await ask_until(core, ANN, "team-terms", kept_prompt)
    await core.quiz.answer_self_grade(ANN, result.question.instance_id, Grade.GOOD)
    kept_id = result.question.question_id
    changed = team_csv(
        f"{kept_prompt},ECR,",
        "What runs containers with no servers to manage?,Fargate,",  # reworded: a new question
        "Which service runs our Kubernetes clusters?,EKS,",
    )
    report = await core.decks.import_deck(T1, "TEAM TERMS", "team-v2.csv", changed)
    assert (report.stored, report.replaced, report.kept_history, report.questions) == (True, True, 2, 3)
    bank = await core.quiz.library.bank_of(ANN)
    deck_prompts = {q.prompt for q in bank.in_topic("team-terms")}
    assert kept_prompt in deck_prompts
    assert "What runs containers without managing servers?" not in deck_prompts
    assert bank.question(kept_id) is not None  # the same id: its answers and card still count
    stats = await core.standings.stats(ANN)
    assert [(t.topic_id, t.answers, t.correct) for t in stats.by_topic] == [("team-terms", 1, 1)]
    readiness = await core.learning.readiness(ANN)
    assert readiness.overall.seen == 1
    [summary] = await core.decks.list_decks(T1)
    assert (summary.questions, summary.source_file) == (3, "team-v2.csv")


async def test_one_bad_question_imports_nothing_and_the_old_deck_stays_whole(core: Core) -> None:
    await imported(core.decks, T1)
    before = {q.id for q in (await core.quiz.library.bank_of(ANN)).in_topic("team-terms")}
    broken = team_csv("A fine question?,Fine,", "No answer on this line,,", ",No question on this one,")
    report = await core.decks.import_deck(T1, "Team Terms", "team.csv", broken)
    assert not report.stored
    assert [(p.line, p.field, p.message) for p in report.problems] == [
        (3, "answer", "is missing"),
        (4, "prompt", "is empty"),
    ]
    after = {q.id for q in (await core.quiz.library.bank_of(ANN)).in_topic("team-terms")}
    assert after == before
    [summary] = await core.decks.list_decks(T1)
    assert summary.questions == 4


async def test_a_dry_run_stores_nothing_but_reports_what_an_import_would_keep(core: Core) -> None:
    report = await core.decks.import_deck(T1, "Team Terms", "team.csv", team_csv(), dry_run=True)
    assert (report.dry_run, report.stored, report.questions, report.problems) == (True, False, 4, ())
    assert await core.decks.list_decks(T1) == []
    await imported(core.decks, T1)
    again = await core.decks.import_deck(T1, "Team Terms", "team.csv", team_csv(), dry_run=True)
    assert (again.replaced, again.kept_history) == (True, 4)


async def test_a_removed_deck_leaves_and_a_click_on_its_question_is_refused(core: Core) -> None:
    await imported(core.decks, T1)
    result = await core.quiz.ask(ANN, "C1", "team-terms")
    assert isinstance(result, Posted)
    assert await core.decks.remove_deck(T1, "Team Terms")
    # At once, with no command in between: this process's view of the workspace is renewed.
    with pytest.raises(QuizError, match="not in this workspace's questions"):
        await core.quiz.answer_self_grade(ANN, result.question.instance_id, Grade.GOOD)
    assert not await core.decks.remove_deck(T1, "Team Terms")
    assert await core.decks.list_decks(T1) == []
    assert "team-terms" not in {t.id for t in await core.quiz.topics(ANN)}
    assert await core.decks.export_deck(T1, "Team Terms", "yaml") is None


async def test_choices_turn_the_flashcards_into_multiple_choice(core: Core) -> None:
    await imported(core.decks, T1, choices=3)
    bank = await core.quiz.library.bank_of(ANN)
    questions = bank.in_topic("team-terms")
    assert {q.kind.value for q in questions} == {"multiple_choice"}
    assert all(len(q.choices) == 3 and q.answers[0] in q.choices for q in questions)


def test_question_ids_are_stable_and_differ_between_workspaces_and_decks() -> None:
    one = stable_id("slack", "T1", "team-terms", "What is ECR?")
    assert one == stable_id("slack", "T1", "team-terms", "What is ECR?")
    assert one.startswith("team-terms-") and len(one) == len("team-terms-") + 12
    assert one != stable_id("slack", "T2", "team-terms", "What is ECR?")
    assert one != stable_id("slack", "T1", "other", "What is ECR?")
    assert one != stable_id("slack", "T1", "team-terms", "What is ECR ?")


async def test_stored_entries_keep_the_bank_schema(core: Core) -> None:
    await imported(core.decks, T1)

    def entries(repositories):  # type: ignore[no-untyped-def]
        workspace = repositories.people.find_workspace("slack", "T1")
        [deck] = repositories.decks.of_workspace(workspace.id)
        return repositories.decks.entries([deck.id])[deck.id]

    stored = await core.uow.read(entries)
    first = json.loads(stored[0].entry)
    assert first["id"] == stored[0].question_id == stable_id("slack", "T1", "team-terms", first["prompt"])
    assert {"topics", "kind", "difficulty", "prompt", "answer", "explanation", "source"} <= set(first)
    assert first["topics"] == ["team-terms", "serverless"]


@pytest.fixture
def memory_decks(bank: QuestionBank, clock: FrozenClock) -> DeckService:
    return wire(MemoryUnitOfWork(), bank, clock).decks


async def test_a_workspace_holds_at_most_50_decks(memory_decks: DeckService) -> None:
    for number in range(MAX_DECKS):
        await imported(memory_decks, T1, f"Deck {number}", team_csv(f"Question {number}?,Answer {number},"))
    report = await memory_decks.import_deck(T1, "One too many", "team.csv", team_csv("Q?,A,"))
    assert not report.stored
    assert [p.message for p in report.problems] == [
        f"the workspace has {MAX_DECKS} decks, the most it may hold: remove one first (deck remove), "
        "or re-import one of them by its name"
    ]
    replaced = await memory_decks.import_deck(T1, "Deck 7", "team.csv", team_csv("New?,New,"))
    assert replaced.stored and replaced.replaced
    assert len(await memory_decks.list_decks("slack:T2")) == 0


async def test_a_deck_holds_at_most_5000_questions_and_a_file_10_mb(memory_decks: DeckService) -> None:
    rows = [f"Question number {n}?,Answer {n}," for n in range(5_001)]
    report = await memory_decks.import_deck(T1, "Huge", "huge.csv", team_csv(*rows))
    assert not report.stored
    assert "holds 5,001 questions; a deck takes at most 5,000" in [p.message for p in report.problems]
    oversize = b"question,answer\n" + b"x" * (10 * 1024 * 1024)
    big = await memory_decks.import_deck(T1, "Big", "big.csv", oversize)
    assert [p.message for p in big.problems] == ["is larger than the 10 MB a deck file may be"]
    assert await memory_decks.list_decks(T1) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "a deck needs a name"),
        ("!!!", "needs at least one letter or digit (it becomes the deck's topic)"),
        ("x" * 101, "is longer than the 100 characters a deck's name may be"),
        ("Team", "'team' reads as a /quiz command: choose another name"),
        ("Topic", "'topic' reads as a /quiz command: choose another name"),
        ("Deck", "'deck' reads as a /quiz command: choose another name"),
        ("K8s", "'k8s' is another name of the shipped topic kubernetes: choose another"),
    ],
)
async def test_a_deck_needs_a_usable_name(memory_decks: DeckService, name: str, message: str) -> None:
    report = await memory_decks.import_deck(T1, name, "team.csv", team_csv())
    assert [p.message for p in report.problems] == [message]


@pytest.mark.parametrize("workspace", ["T1", "slack:", "teams:T1", "slack:T 1", ""])
async def test_a_workspace_is_named_as_the_command_line_spells_it(
    memory_decks: DeckService, workspace: str
) -> None:
    spelling = "is not a workspace: write slack:T0123, discord:123456789 or terminal"
    with pytest.raises(QuizError, match=spelling):
        await memory_decks.list_decks(workspace)


async def test_a_reimport_of_as_many_questions_at_the_same_moment_is_seen(core: Core) -> None:
    """A process keeps each deck's questions until the deck's revision changes: a replacement
    with the same count, at the same (frozen) moment, is still read afresh."""
    await imported(core.decks, T1, data=team_csv("First?,One,", "Second?,Two,"))
    assert {q.prompt for q in (await core.quiz.library.bank_of(ANN)).in_topic("team-terms")} == {
        "First?",
        "Second?",
    }
    await imported(core.decks, T1, data=team_csv("Third?,Three,", "Fourth?,Four,"))
    assert {q.prompt for q in (await core.quiz.library.bank_of(ANN)).in_topic("team-terms")} == {
        "Third?",
        "Fourth?",
    }
    assert await core.decks.remove_deck(T1, "Team Terms")
    await imported(core.decks, T1, "Team Terms", team_csv("Fifth?,Five,", "Sixth?,Six,"))
    assert {q.prompt for q in (await core.quiz.library.bank_of(ANN)).in_topic("team-terms")} == {
        "Fifth?",
        "Sixth?",
    }


async def test_a_mock_exam_asks_a_decks_choice_questions_and_survives_its_removal(core: Core) -> None:
    await imported(core.decks, T1, choices=3)
    screen = await core.exam.start(ANN, "team-terms", 3, None)
    assert isinstance(screen, ExamQuestion) and screen.total == 3
    deck = {q.id for q in (await core.quiz.library.bank_of(ANN)).in_topic("team-terms")}
    assert screen.question.question_id in deck and screen.question.topic_name == "Team Terms"
    await core.exam.choose(ANN, screen.exam_id, 0, (0,))
    assert await core.decks.remove_deck(T1, "Team Terms")
    with pytest.raises(QuizError, match="deck was removed"):
        await core.exam.go(ANN, screen.exam_id, 1)
    report = await core.exam.submit(ANN, screen.exam_id)
    assert isinstance(report, ExamReport) and report.total == 3
    with pytest.raises(QuizError, match="No topic 'team-terms'"):
        await core.exam.start(Actor("slack", "T2", "U9", "Zed"), "team-terms", 3, None)


async def test_another_process_sees_an_import_and_a_removal_with_its_next_command(
    core: Core, database: Database, bank: QuestionBank, clock: FrozenClock
) -> None:
    other = compose(database, bank, clock)
    assert "team-terms" not in {t.id for t in await other.quiz.topics(ANN)}
    await imported(core.decks, T1)
    result = await other.quiz.ask(ANN, "C1", "team-terms")
    assert isinstance(result, Posted)
    assert await core.decks.remove_deck(T1, "Team Terms")
    assert isinstance(await other.quiz.ask(ANN, "C1", "team-terms"), TopicNotFound)
    with pytest.raises(QuizError, match="not in this workspace's questions"):
        await other.quiz.answer_self_grade(ANN, result.question.instance_id, Grade.GOOD)
