"""Every way of answering (the question of the day, a channel question, a deck's, private practice, a
review) rates the person's card (wrong Again, right Good, a flashcard the grade
picked), and the stored review log is what fsrs' optimizer reads: replayed through py-fsrs per
card, it gives the stored cards back (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime

from fsrs import Card, Rating, ReviewLog, Scheduler
from sqlalchemy import select

from bot.bootstrap import Core
from bot.db.database import Database
from bot.db.tables_learning import review_logs
from bot.grammar import Ask
from bot.grammar_learning import StartReview
from bot.learning_models import PrivateQuestion
from bot.models import Actor, Posted, QuestionView
from bot.questions import Kind
from bot.recall import Grade
from tests.answering_helpers import answer
from tests.conftest import FrozenClock
from tests.decks.workspace_helpers import imported
from tests.test_daily import RecordingPoster, post_daily, subscribe
from tests.test_recall import same

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ANN = Actor("slack", "T1", "U1", "Ann")


async def answered(core: Core, view: QuestionView, how: bool | Grade) -> Rating:
    """Answer right or wrong (or, a flashcard, with a grade); the rating the answer should give."""
    bank = await core.quiz.library.bank_of(ANN)
    if isinstance(how, Grade):
        await core.quiz.answer_self_grade(ANN, view.instance_id, how)
        return Rating(int(how))
    await answer(core.quiz, bank, ANN, view, how)
    return Rating.Good if how else Rating.Again


async def stored_logs(database: Database) -> list[tuple[int, str, int, datetime, str]]:
    async with database.async_transaction(write=False) as connection:
        query = select(
            review_logs.c.user_id,
            review_logs.c.question_id,
            review_logs.c.rating,
            review_logs.c.reviewed_at,
            review_logs.c.mode,
        ).order_by(review_logs.c.id)
        return [tuple(row) for row in (await connection.execute(query)).all()]  # type: ignore[misc]


async def test_every_way_of_answering_rates_the_card_and_logs_what_the_optimizer_reads(
    core: Core, database: Database, clock: FrozenClock
) -> None:
    expected: list[tuple[str, Rating, str]] = []
    core.daily.posters["slack"] = RecordingPoster()
    clock.moment = datetime(2026, 11, 18, 9, 5, tzinfo=UTC)
    subscription = await subscribe(core.daily)
    daily = await post_daily(core.daily, subscription, clock, 20)
    expected.append((daily.question_id, await answered(core, daily, True), "daily"))
    clock.moment = START
    await imported(core.decks, "slack:T1")

    async def take(view: QuestionView, how: bool | Grade, mode: str) -> None:
        if view.kind is Kind.FLASHCARD and not isinstance(how, Grade):
            how = Grade.GOOD if how else Grade.AGAIN
        expected.append((view.question_id, await answered(core, view, how), mode))
        clock.advance(minutes=3)

    channel = await core.quiz.ask(ANN, "C2", "ecs")
    assert isinstance(channel, Posted)
    await take(channel.question, False, "practice")
    deck = await core.quiz.ask(ANN, "C1", "team-terms")
    assert isinstance(deck, Posted) and deck.question.kind is Kind.FLASHCARD
    await take(deck.question, Grade.EASY, "practice")
    private = await core.commands.execute(ANN, "C1", Ask("ecs", private=True))
    assert isinstance(private, PrivateQuestion)
    await take(private.question, True, "private")
    for grade in (Grade.HARD, Grade.AGAIN):
        review = await core.commands.execute(ANN, "C1", StartReview("team-terms"))
        assert isinstance(review, PrivateQuestion) and review.question.kind is Kind.FLASHCARD
        await take(review.question, grade, "review")
    clock.advance(days=2)
    again = await core.commands.execute(ANN, "C1", StartReview(None))
    assert isinstance(again, PrivateQuestion) and not again.is_new
    await take(again.question, True, "review")

    logs = await stored_logs(database)
    assert [(question, Rating(rating), mode) for _, question, rating, _, mode in logs] == expected
    card_ids = {key: number for number, key in enumerate(sorted({(u, q) for u, q, *_ in logs}), 1)}
    fitted = [
        ReviewLog(card_ids[(u, q)], Rating(rating), at.astimezone(UTC), None) for u, q, rating, at, _ in logs
    ]
    scheduler = Scheduler(enable_fuzzing=False)
    replayed: dict[int, Card] = {}
    for log in sorted(fitted, key=lambda log: log.review_datetime):
        card = replayed.get(log.card_id) or Card(card_id=log.card_id, due=log.review_datetime)
        replayed[log.card_id], _ = scheduler.review_card(card, log.rating, log.review_datetime)
    user = await core.uow.read(lambda r: r.people.find_user(1, "U1"))
    assert user is not None
    stored = await core.uow.read(lambda r: r.cards.of_user(user.id))
    assert set(stored) == {q for _, q in card_ids}
    for (_, question), number in card_ids.items():
        same(stored[question], replayed[number])
