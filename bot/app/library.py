"""Each workspace's view of the questions: the shipped bank (unless its admins turned it off)
and the workspace's own decks (issue 18).

`Library.bank_for` reads one row per call, the workspace's library version, and rebuilds the
workspace's `QuestionBank` only when that number moved (an import, a removal or a toggle, in
any process). A workspace that never changed its library shares the one shipped bank. A deck's
questions therefore appear only in its own workspace: every use case asks for the bank of the
workspace it serves.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from bot.app.library_ports import DeckEntry, LibraryState, StoredDeck
from bot.app.ports import Repositories, UnitOfWork
from bot.bank import QuestionBank
from bot.clock import Clock
from bot.questions import TRUE_FALSE_CHOICES, Difficulty, Kind, Question, Topic

WorkspaceKey = tuple[str, str]
"""(platform, the platform's id of the workspace), as `Actor` and `Place` carry them."""


class InWorkspace(Protocol):
    """Anything that names a workspace: an `Actor`, a `Place`."""

    @property
    def platform(self) -> str: ...

    @property
    def workspace(self) -> str: ...


def entry_question(entry: Mapping[str, Any], question_id: str, imported: date) -> Question:
    """A stored deck entry (checked by the bank's schema when it was imported) as a question;
    a deck may leave out the exam guide's fields."""
    kind = Kind(entry["kind"])
    answer = entry.get("answer")
    if kind is Kind.TRUE_FALSE:
        choices: tuple[str, ...] = TRUE_FALSE_CHOICES
        answers: tuple[str, ...] = (TRUE_FALSE_CHOICES[0] if answer else TRUE_FALSE_CHOICES[1],)
    else:
        choices = tuple(entry.get("choices") or ())
        listed = entry.get("answers")
        answers = tuple(listed) if listed is not None else (str(answer),)
    verified = entry.get("verified")
    return Question(
        id=question_id,
        topics=tuple(entry["topics"]),
        kind=kind,
        difficulty=Difficulty(entry.get("difficulty", "medium")),
        prompt=entry["prompt"],
        choices=choices,
        answers=answers,
        explanation=entry["explanation"],
        source=entry["source"],
        domain=int(entry.get("domain", 0)),
        task=str(entry.get("task", "")),
        verified=date.fromisoformat(verified) if isinstance(verified, str) else imported,
        accepted=tuple(entry.get("accepted") or ()),
    )


def deck_questions(deck: StoredDeck, entries: Sequence[DeckEntry]) -> tuple[Question, ...]:
    imported = deck.imported_at.date()
    return tuple(entry_question(json.loads(e.entry), e.question_id, imported) for e in entries)


def workspace_bank(
    builtin: QuestionBank | None, decks: Sequence[StoredDeck], questions: Mapping[int, Sequence[Question]]
) -> QuestionBank:
    """The shipped bank (None: turned off) and the decks (`questions` by deck id), as one bank.
    A deck's topics are its name and its tags; a tag that is a shipped topic's id joins it."""
    topics: dict[str, Topic] = {t.id: t for t in builtin.topics} if builtin else {}
    every: list[Question] = list(builtin.questions) if builtin else []
    for deck in decks:
        topics.setdefault(deck.topic_id, Topic(deck.topic_id, deck.name))
        for question in questions.get(deck.id, ()):
            for topic_id in question.topics:
                if topic_id not in topics:
                    topics[topic_id] = Topic(topic_id, topic_id)
        every.extend(questions.get(deck.id, ()))
    return QuestionBank(tuple(topics.values()), tuple(every))


class Library:
    """The banks of the workspaces, cached per workspace by library version."""

    def __init__(self, uow: UnitOfWork, builtin: QuestionBank) -> None:
        self.uow = uow
        self.builtin = builtin
        self.empty = QuestionBank((), ())
        self._cache: dict[int, tuple[int, QuestionBank]] = {}
        """(version, bank) by workspace id, for workspaces whose library ever changed."""
        self._ids: dict[WorkspaceKey, int] = {}
        self._decks: dict[int, tuple[str, tuple[Question, ...]]] = {}
        """(revision, questions) by deck id: a change rebuilds a workspace's view from the decks
        already read and reads only the decks imported since (a deck's 5,000 questions, not the
        workspace's 250,000)."""
        self._decks_of: dict[int, set[int]] = {}

    async def bank_for(self, platform: str, workspace: str) -> QuestionBank:
        """The questions `workspace` plays with, as they stand now in the database."""
        state = await self.uow.read(lambda r: r.decks.state(platform, workspace))
        if state is None:
            return self.builtin
        self._ids[(platform, workspace)] = state.workspace_id
        cached = self._cache.get(state.workspace_id)
        if cached is not None and cached[0] == state.version:
            return cached[1]
        return await self.uow.read(lambda r: self.within_id(r, state.workspace_id))

    async def bank_of(self, where: InWorkspace) -> QuestionBank:
        return await self.bank_for(where.platform, where.workspace)

    async def bank_of_id(self, workspace_id: int) -> QuestionBank:
        """The bank of the workspace with this id (the database's): the dashboard's pages."""
        return await self.uow.read(lambda r: self.within_id(r, workspace_id))

    def within(self, repositories: Repositories, platform: str, workspace: str) -> QuestionBank:
        """`bank_for` inside a transaction the caller runs."""
        state = repositories.decks.state(platform, workspace)
        if state is None:
            return self.builtin
        self._ids[(platform, workspace)] = state.workspace_id
        return self._current(repositories, state)

    def within_id(self, repositories: Repositories, workspace_id: int) -> QuestionBank:
        """The bank of the workspace with this id (the database's), inside a transaction."""
        state = repositories.decks.state_of(workspace_id)
        return self.builtin if state is None else self._current(repositories, state)

    def _current(self, repositories: Repositories, state: LibraryState) -> QuestionBank:
        cached = self._cache.get(state.workspace_id)
        if cached is not None and cached[0] == state.version:
            return cached[1]
        bank = self._build(repositories, state)
        self._cache[state.workspace_id] = (state.version, bank)
        return bank

    def _build(self, repositories: Repositories, state: LibraryState) -> QuestionBank:
        decks = repositories.decks.of_workspace(state.workspace_id)
        current = {deck.id for deck in decks}
        # The decks it had and no longer has leave memory.
        for gone in self._decks_of.get(state.workspace_id, set()) - current:
            self._decks.pop(gone, None)
        self._decks_of[state.workspace_id] = current
        if not decks:
            return self.builtin if state.builtin else self.empty
        changed = [d for d in decks if self._decks.get(d.id, ("",))[0] != d.revision]
        if changed:
            entries = repositories.decks.entries([deck.id for deck in changed])
            for deck in changed:
                self._decks[deck.id] = (deck.revision, deck_questions(deck, entries[deck.id]))
        questions = {deck.id: self._decks[deck.id][1] for deck in decks}
        return workspace_bank(self.builtin if state.builtin else None, decks, questions)

    def last_known(self, platform: str, workspace: str) -> QuestionBank:
        """The workspace's bank as this process last read it (the shipped bank before that),
        without asking the database: for answers, which come in floods. They check against it
        first and read afresh only for a question it lacks, so a question of a deck imported
        elsewhere is found; a change made in another process (a removal) reaches clicks with
        the workspace's next command, one made here at once (`forget`)."""
        workspace_id = self._ids.get((platform, workspace))
        cached = None if workspace_id is None else self._cache.get(workspace_id)
        return self.builtin if cached is None else cached[1]

    def forget_workspace(self, platform: str, workspace: str) -> None:
        """Drop the cached bank of a workspace whose library this process just changed, so that
        clicks here see the change at once (other processes see it with the next command)."""
        workspace_id = self._ids.pop((platform, workspace), None)
        if workspace_id is not None:
            self._cache.pop(workspace_id, None)


class LibraryUseCase:
    """What the use cases that play with each workspace's questions (quiz, exams, standings,
    decks) stand on; `bot.bootstrap.wire` gives them all the one library."""

    def __init__(
        self, uow: UnitOfWork, library: Library, clock: Clock, default_timezone: str = "UTC"
    ) -> None:
        self.uow = uow
        self.library = library
        """Each workspace plays with `library.bank_for` it: the shipped bank and its decks."""
        self.clock = clock
        self.default_timezone = default_timezone
        """The time zone of a workspace that has not set one."""
