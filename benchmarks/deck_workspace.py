"""Issue 18, point 6: a workspace's decks in the database.

(a) Importing a 5,000-card `.apkg` into a workspace, the whole use case (`DeckService.import_deck`:
read and check every card, then one transaction storing the deck and bumping the library's
version) on a SQLite file, re-imported each round (a replacement keeping history).
(b) `/quiz TOPIC` (`QuizService.ask` on a shipped topic, as every adapter runs it) in a workspace
with 50 decks of 5,000 questions beside one with none: the median of many asks, interleaved, the
workspace's view read from the cache (one version row read per ask). The first ask after a change
rebuilds the view and is shown on its own, as are asks on one 5,000-question deck's topic.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path

from benchmarks import world
from benchmarks.decks import package
from benchmarks.report import Figure, at_most, info
from bot.app.decks import stable_id
from bot.app.library_ports import DeckEntry, NewDeck
from bot.app.ports import Repositories
from bot.bootstrap import Core
from bot.models import Actor, Posted

DECKS, DECK_QUESTIONS = 50, 5_000
QUICK_DECKS, QUICK_QUESTIONS = 5, 300
RATIO_TARGET = 1.5
IMPORT_TARGET_SECONDS = 5.0
SHIPPED_TOPIC = "ecs"
NONE = Actor("slack", "TNONE", "U1", "Nell")
MANY = Actor("slack", "TMANY", "U1", "Max")


def _fill(decks: range, questions: int, repositories: Repositories) -> None:
    """Decks numbered `decks` of `questions` flashcards each in MANY's workspace, in bulk."""
    workspace = repositories.people.workspace(MANY.platform, MANY.workspace, "", "UTC", world.EPOCH)
    for number in decks:
        topic = f"deck-{number}"
        entries = []
        for n in range(questions):
            prompt = f"What does service {n} of deck {number} do?"
            question_id = stable_id(MANY.platform, MANY.workspace, topic, prompt)
            entry = {
                "id": question_id,
                "topics": [topic, f"group-{n % 20}"],
                "kind": "flashcard",
                "difficulty": "medium",
                "prompt": prompt,
                "answer": f"It runs workload {n}",
                "explanation": f"It runs workload {n}",
                "source": f"deck-{number}.apkg, note {n + 1}",
            }
            entries.append(DeckEntry(question_id, json.dumps(entry)))
        deck = NewDeck(topic, f"Deck {number}", "apkg", f"deck-{number}.apkg", world.EPOCH)
        repositories.decks.put(workspace.id, deck, entries)
    repositories.decks.bump(workspace.id)


async def _ask_seconds(core: Core, actor: Actor, topic: str, channel: str) -> float:
    started = time.perf_counter()
    result = await core.quiz.ask(actor, channel, topic)
    elapsed = time.perf_counter() - started
    if not isinstance(result, Posted):
        raise RuntimeError(f"/quiz {topic} did not post: {result}")
    return elapsed


async def _import_seconds(core: Core, data: bytes, rounds: int, cards: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        report = await core.decks.import_deck("slack:TIMPORT", "Benchmark deck", "bench.apkg", data)
        times.append(time.perf_counter() - started)
        if not report.stored or report.questions != cards:
            raise RuntimeError(f"the benchmark deck did not import: {report.problems[:3]}")
    return statistics.median(times)


async def run(directory: Path, quick: bool) -> list[Figure]:
    decks, questions = (QUICK_DECKS, QUICK_QUESTIONS) if quick else (DECKS, DECK_QUESTIONS)
    asks = 100 if quick else 1_000
    database = await world.migrated(directory / "decks.db")
    try:
        core = world.core(database, world.bank())
        cards = QUICK_QUESTIONS if quick else DECK_QUESTIONS
        import_seconds = await _import_seconds(core, package(cards), 2 if quick else 3, cards)
        started = time.perf_counter()
        await core.uow.write(lambda r: _fill(range(decks), questions, r))
        fill_seconds = time.perf_counter() - started
        started = time.perf_counter()
        await _ask_seconds(core, MANY, SHIPPED_TOPIC, "C0")
        first_seconds = time.perf_counter() - started
        await _ask_seconds(core, NONE, SHIPPED_TOPIC, "C0")
        none, many, deck_topic = [], [], []
        rng = random.Random(18)
        for n in range(asks):
            channel = f"C{n % 50}"  # many channels, so no channel's history grows long
            pair = [(none, NONE), (many, MANY)]
            rng.shuffle(pair)
            for times, actor in pair:
                times.append(await _ask_seconds(core, actor, SHIPPED_TOPIC, channel))
            deck_topic.append(await _ask_seconds(core, MANY, f"deck-{n % decks}", channel))
        await core.uow.write(lambda r: _fill(range(1), questions, r))  # one deck imported again
        started = time.perf_counter()
        await _ask_seconds(core, MANY, SHIPPED_TOPIC, "C0")
        after_one_seconds = time.perf_counter() - started
    finally:
        await database.dispose()
    with_none, with_many = statistics.median(none), statistics.median(many)
    size = f"{decks} decks x {questions:,}"
    label = f"{cards:,}-card"
    return [
        at_most(
            f"import a {label} .apkg into a workspace (median)", import_seconds, "s", IMPORT_TARGET_SECONDS
        ),
        info(f"/quiz {SHIPPED_TOPIC}: workspace with no decks (median of {asks})", with_none * 1000, "ms"),
        info(f"/quiz {SHIPPED_TOPIC}: workspace with {size} (median)", with_many * 1000, "ms"),
        at_most(f"/quiz TOPIC with {size} / with none", with_many / with_none, "x", RATIO_TARGET),
        info(
            f"/quiz DECK-TOPIC ({questions:,} questions) with {size} (median)",
            statistics.median(deck_topic) * 1000,
            "ms",
        ),
        info(f"first /quiz in a new process: the workspace's view of {size} read", first_seconds, "s"),
        info("first /quiz after one deck was re-imported (only it is read again)", after_one_seconds, "s"),
        info(f"writing {size} deck questions in bulk (set-up)", fill_seconds, "s"),
    ]
