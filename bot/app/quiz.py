"""The quiz's use cases: topics, asking, answering, flashcards, the reveal of a daily question.

Plain dataclasses in, plain dataclasses out; storage only through the unit of work."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial

from rapidfuzz import fuzz

from bot.app.answer_batch import Submission, outcome
from bot.app.answering import AnswerRecorder
from bot.app.identity import identify
from bot.app.library import InWorkspace, Library, LibraryUseCase
from bot.app.ports import (
    NamedAnswer,
    PostedQuestion,
    RecordedAnswer,
    Repositories,
    UnitOfWork,
    User,
    UserState,
)
from bot.app.posted import PostedQuestions
from bot.bank import QuestionBank
from bot.choices import grade_picks, question_view, shown_choices
from bot.clock import Clock
from bot.daily.models import Reveal, TeamResult
from bot.errors import Command, QuizError
from bot.models import (
    Actor,
    AnswerOutcome,
    AskResult,
    FlashcardAnswer,
    Mode,
    NoQuestions,
    Posted,
    QuestionView,
    TopicInfo,
    TopicNotFound,
)
from bot.picking import pick_question
from bot.questions import Kind, Question, Topic
from bot.recall import Grade, Recall

FLASHCARD_MATCH_RATIO = 85
FIRST_CORRECT_SHOWN = 3
GRADE_CHOICES = {
    Grade.AGAIN: "(did not know)",
    Grade.HARD: "(knew it, hard)",
    Grade.GOOD: "(knew it)",
    Grade.EASY: "(knew it, easy)",
}
"""What a self-graded flashcard's answer records as the choice, per grade."""


def _normalize_answer(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def tally_reveal(
    instance_id: int, daily_date: date, question: Question, rows: Sequence[NamedAnswer]
) -> Reveal:
    """A question of the day's answer and how its channel did, teams ranked by right answers."""
    teams: dict[str, list[int]] = {}
    for answer in rows:
        if answer.team is not None:
            tally = teams.setdefault(answer.team, [0, 0])
            tally[0] += 1
            tally[1] += int(answer.correct)
    return Reveal(
        instance_id=instance_id,
        daily_date=daily_date,
        prompt=question.prompt,
        answer=question.answer,
        explanation=question.explanation,
        source=question.source,
        answered=len(rows),
        correct=sum(int(a.correct) for a in rows),
        first_correct=tuple(a.display_name for a in rows if a.correct)[:FIRST_CORRECT_SHOWN],
        teams=tuple(
            TeamResult(name, answered, correct)
            for name, (answered, correct) in sorted(teams.items(), key=lambda t: (-t[1][1], t[0]))
        ),
    )


def _info(bank: QuestionBank, topic: Topic) -> TopicInfo:
    return TopicInfo(topic.id, topic.name, topic.aliases, len(bank.in_topic(topic.id)))


def repeated_outcome(
    row: PostedQuestion, question: Question, answer: RecordedAnswer, user: User, total: int
) -> AnswerOutcome:
    """What a second click on a question shows: the first answer's result."""
    return outcome(
        row,
        question,
        chosen=answer.choice,
        correct=answer.correct,
        points=answer.points,
        user=UserState(user.streak, user.daily_streak, total, None),
        repeat=True,
        late=answer.late,
        count=row.answer_count,
    )


class QuizService(LibraryUseCase):
    def __init__(
        self,
        uow: UnitOfWork,
        library: Library,
        clock: Clock,
        default_timezone: str = "UTC",
        rng: random.Random | None = None,
        recall: Recall | None = None,
    ) -> None:
        super().__init__(uow, library, clock, default_timezone)
        self._rng = rng or random.Random()
        self.recall = recall or Recall()
        self.recorder = AnswerRecorder(uow, default_timezone, recall=self.recall)
        self.posted = PostedQuestions(uow)

    # -- topics ---------------------------------------------------------------------------

    async def topics(self, where: InWorkspace) -> tuple[TopicInfo, ...]:
        """The topics of the workspace: the shipped bank's (unless turned off) and its decks'."""
        bank = await self.library.bank_of(where)
        return tuple(_info(bank, t) for t in bank.topics)

    async def complete_topic(self, where: InWorkspace, prefix: str, limit: int = 25) -> tuple[TopicInfo, ...]:
        bank = await self.library.bank_of(where)
        return tuple(_info(bank, t) for t in bank.topic_index.complete(prefix, limit))

    # -- asking ---------------------------------------------------------------------------

    def view(
        self,
        instance_id: int,
        question: Question,
        mode: Mode,
        count: int = 0,
        daily_date: date | None = None,
        asked_topic: str | None = None,
        bank: QuestionBank | None = None,
    ) -> QuestionView:
        """How adapters show a posted question; the answer is not in it. Its heading names the
        topic it was asked under, else the question's first topic (named as `bank`, the
        workspace's, names it)."""
        shown = asked_topic if asked_topic in question.topics else question.primary_topic
        topic = (bank or self.library.builtin).topic(shown)
        return question_view(question, topic, instance_id, mode, count, daily_date)

    @staticmethod
    def daily_pool(bank: QuestionBank, topic_id: str | None) -> list[str]:
        """The ids a question of the day on this topic is picked from in a workspace whose bank
        is `bank` (all, for a topic since emptied)."""
        pool = bank.in_topic(topic_id) if topic_id else bank.questions
        return [q.id for q in pool or bank.questions]

    async def topic_id(self, where: InWorkspace, query: str | None) -> str | None:
        """The id of the topic `query` names in the workspace (None for None); a refusal with
        suggestions when it names none."""
        if query is None:
            return None
        index = (await self.library.bank_of(where)).topic_index
        topic = index.resolve(query)
        if topic is not None:
            return topic.id
        near = index.suggest(query)
        if near:
            raise QuizError(f"No topic '{query}'. Did you mean {' or '.join(near)}?")
        raise QuizError(f"No topic '{query}'. See ", Command.TOPICS, ".")

    def daily_view(
        self,
        bank: QuestionBank,
        instance_id: int,
        question_id: str,
        daily_date: date,
        topic_id: str | None = None,
    ) -> QuestionView:
        """A question of the day of a workspace whose bank is `bank`, headed by its
        subscription's topic."""
        question = bank.by_id[question_id]
        return self.view(instance_id, question, Mode.DAILY, 0, daily_date, topic_id, bank)

    async def reveal_stats(self, instance_id: int) -> Reveal:
        """The answer of a daily question and how its channel did; answers after it score nothing."""
        row, rows = await self.uow.read(lambda r: (r.posts.get(instance_id), r.answers.named(instance_id)))
        if row is None or row.daily_date is None:
            raise QuizError("That is not a daily question.")
        question = await self._in_workspace(row)
        if question is None:
            raise QuizError("That question is no longer in this workspace's decks.")
        return tally_reveal(instance_id, row.daily_date, question, rows)

    async def ask(self, actor: Actor, channel: str, topic_query: str | None = None) -> AskResult:
        """Post a practice question on a topic (any topic when None) in a channel, from the
        questions of the actor's workspace."""
        bank = await self.library.bank_of(actor)
        topic_id, pool = None, bank.questions
        if topic_query:
            topic = bank.topic_index.resolve(topic_query)
            if topic is None:
                return TopicNotFound(
                    topic_query, bank.topic_index.suggest(topic_query), tuple(t.id for t in bank.topics)
                )
            topic_id, pool = topic.id, bank.in_topic(topic.id)
        if not pool:
            return NoQuestions(topic_id or "")
        post = partial(self._post, actor, channel, pool, topic_id)
        instance_id, question, repeated = await self.uow.write(post)
        return Posted(
            self.view(instance_id, question, Mode.PRACTICE, asked_topic=topic_id, bank=bank), repeated
        )

    def _post(
        self,
        actor: Actor,
        channel: str,
        pool: Sequence[Question],
        topic_id: str | None,
        repositories: Repositories,
    ) -> tuple[int, Question, bool]:
        """The transaction of `ask`: asks come between the batches of answers, which wait for
        them, so it is one synchronous transaction like theirs."""
        now = self.clock.now()
        _, user_id, channel_id = identify(repositories, actor, channel, self.default_timezone, now)
        ids = [q.id for q in pool]
        seen = repositories.posts.last_seen(channel_id, user_id, ids)
        question = pool[ids.index(pick_question(ids, seen, self._rng))]
        mode = Mode.PRACTICE.value
        instance_id = repositories.posts.add(channel_id, question.id, mode, now, user_id, topic_id)
        # Every question of the pool had been seen: this one, seen longest ago, comes back.
        return instance_id, question, question.id in seen

    async def set_message_ref(self, instance_id: int, ref: str) -> None:
        """Remember the platform's id of the message showing an instance, to update it later."""
        await self.uow.write(lambda r: r.posts.set_message_ref(instance_id, ref))

    async def message_ref(self, instance_id: int) -> str | None:
        """The message showing an instance, as `set_message_ref` stored it (None until then)."""
        return await self.uow.read(lambda r: r.posts.message_ref(instance_id))

    async def question_view(self, instance_id: int) -> QuestionView:
        """The instance as it stands now (its answer count read afresh, not cached)."""
        row = await self.posted.fresh(instance_id)
        question = None if row is None else await self._in_workspace(row)
        if row is None or question is None:
            raise QuizError("That question is no longer available. Ask for a new one with /quiz.")
        bank = await self.library.bank_for(row.platform, row.workspace_external_id)
        return self.view(
            row.id, question, Mode(row.mode), row.answer_count, row.daily_date, row.topic_id, bank
        )

    async def _in_workspace(self, row: PostedQuestion) -> Question | None:
        """The posted question if its workspace still has it. The bank this process last read
        answers first (answers come in floods); a question it lacks is looked up afresh."""
        question = self.library.last_known(row.platform, row.workspace_external_id).question(row.question_id)
        if question is None:
            bank = await self.library.bank_for(row.platform, row.workspace_external_id)
            question = bank.question(row.question_id)
        return question

    # -- answering ------------------------------------------------------------------------

    async def _checked(self, row: PostedQuestion | None, actor: Actor) -> Question:
        """The question a click is about, refused unless it was posted in the actor's workspace
        and is still among that workspace's questions (its shipped bank and decks)."""
        if row is None or (row.platform, row.workspace_external_id) != (actor.platform, actor.workspace):
            raise QuizError("That question is no longer available. Ask for a new one with /quiz.")
        question = await self._in_workspace(row)
        if question is None:
            raise QuizError(
                "That question is not in this workspace's questions any more (its deck was removed "
                "or the bank retired it). Ask for a new one with /quiz."
            )
        return question

    async def answer_choice(self, actor: Actor, instance_id: int, index: int) -> AnswerOutcome:
        """Answer a multiple-choice or true/false question with the choice shown at `index`."""
        return await self.answer_choices(actor, instance_id, (index,))

    async def answer_choices(self, actor: Actor, instance_id: int, indexes: Sequence[int]) -> AnswerOutcome:
        """Answer with the choices shown at `indexes`: one, or a multiple-response set."""
        return await self._answer(
            actor, instance_id, lambda question: grade_picks(question, instance_id, indexes)
        )

    async def answer_text(self, actor: Actor, instance_id: int, text: str) -> AnswerOutcome:
        """Answer with typed text: a flashcard's answer, or a choice's text."""

        def grade(question: Question) -> tuple[str, bool]:
            typed = _normalize_answer(text)
            if not typed:
                raise QuizError("Type an answer first.")
            if question.kind is not Kind.FLASHCARD:
                shown = shown_choices(question, instance_id)
                for i, choice in enumerate(shown):
                    if typed == _normalize_answer(choice):
                        return grade_picks(question, instance_id, (i,))
                raise QuizError("That is not one of this question's choices.")
            targets = [_normalize_answer(a) for a in (question.answer, *question.accepted)]
            correct = any(fuzz.ratio(typed, t) >= FLASHCARD_MATCH_RATIO for t in targets)
            return text.strip()[:200], correct

        return await self._answer(actor, instance_id, grade)

    async def answer_self_grade(self, actor: Actor, instance_id: int, grade: Grade) -> AnswerOutcome:
        """A flashcard graded by the user after seeing the answer: Again, Hard, Good or Easy
        (anything but Again counts as right); the grade rates their card as it is."""

        def check(question: Question) -> tuple[str, bool]:
            if question.kind is not Kind.FLASHCARD:
                raise QuizError("Only flashcards are graded by yourself.")
            return GRADE_CHOICES[grade], grade.knew

        return await self._answer(actor, instance_id, check, grade)

    async def show_flashcard(self, actor: Actor, instance_id: int) -> FlashcardAnswer:
        row, earlier = await self.uow.read(partial(self._flashcard, actor, instance_id))
        question = await self._checked(row, actor)
        repeat = None
        if row is not None and earlier is not None:
            repeat = repeated_outcome(row, question, *earlier)
        return FlashcardAnswer(
            instance_id, question.prompt, question.answer, question.accepted, question.explanation, repeat
        )

    def _flashcard(
        self, actor: Actor, instance_id: int, repositories: Repositories
    ) -> tuple[PostedQuestion | None, tuple[RecordedAnswer, User, int] | None]:
        """The instance and, if the actor answered it already, their answer, user and points."""
        row = repositories.posts.get(instance_id)
        workspace = repositories.people.find_workspace(actor.platform, actor.workspace)
        user = workspace and repositories.people.find_user(workspace.id, actor.user)
        answer = user and repositories.answers.first_answer(instance_id, user.id)
        if not user or not answer:
            return row, None
        totals = repositories.answers.user_totals(user.id, ["all"])
        return row, (answer, user, totals["all"].points if "all" in totals else 0)

    async def _answer(
        self,
        actor: Actor,
        instance_id: int,
        grade: Callable[[Question], tuple[str, bool]],
        own_grade: Grade | None = None,
    ) -> AnswerOutcome:
        """Record the first answer of a user to an instance; later ones get the first result."""
        row = await self.posted.shared(instance_id)
        question = await self._checked(row, actor)
        assert row is not None
        chosen, correct = grade(question)
        submission = Submission(actor, row, question, chosen, correct, self.clock.now(), own_grade)
        return await self.recorder.record(submission)
