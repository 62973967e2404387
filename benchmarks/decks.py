"""Deck import: how long reading a 5,000-card Anki package takes (issue 18's target: importing
one within 5 s, of which the parse measured here is the part that needs no database), then a
workspace's decks in the database (`benchmarks.deck_workspace`)."""

from __future__ import annotations

import io
import statistics
import time
from pathlib import Path

import genanki

from benchmarks.report import Figure, at_most, info
from bot.decks.entries import DeckOptions
from bot.decks.export import to_csv
from bot.decks.reader import read_deck

FULL_CARDS = 5_000
QUICK_CARDS = 300
IMPORT_TARGET_SECONDS = 5.0


def package(cards: int) -> bytes:
    """An .apkg of Basic notes with HTML and tags, as an exported study deck looks."""
    deck = genanki.Deck(1_234_567_890, "Benchmark deck")
    for i in range(cards):
        front = f"<div>What does <b>service {i}</b> do in the <i>container</i> area?</div>"
        back = f"It runs workload {i}&nbsp;for you<br>without servers"
        deck.add_note(
            genanki.Note(model=genanki.BASIC_MODEL, fields=[front, back], tags=["aws", f"group{i % 20}"])
        )
    out = io.BytesIO()
    genanki.Package(deck).write_to_file(out, timestamp=1_700_000_000)
    return out.getvalue()


def _median_seconds(data: bytes, name: str, options: DeckOptions, rounds: int, cards: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = read_deck(data, name, options)
        times.append(time.perf_counter() - started)
        if not result.ok or len(result.entries) != cards:
            raise RuntimeError(f"the benchmark deck did not import: {result.problems[:3]}")
    return statistics.median(times)


async def run(directory: Path, quick: bool) -> list[Figure]:
    cards = QUICK_CARDS if quick else FULL_CARDS
    rounds = 3 if quick else 5
    data = package(cards)
    plain = DeckOptions("bench")
    apkg_seconds = _median_seconds(data, "bench.apkg", plain, rounds, cards)
    choices_seconds = _median_seconds(data, "bench.apkg", DeckOptions("bench", choices=4), rounds, cards)
    csv_data = to_csv(read_deck(data, "bench.apkg", plain).entries)
    csv_seconds = _median_seconds(csv_data, "bench.csv", plain, rounds, cards)
    label = f"{cards:,}-card"
    from benchmarks import deck_workspace  # it builds its package with `package` above

    stored = await deck_workspace.run(directory, quick)
    return [
        at_most(f"parse a {label} .apkg (median of {rounds})", apkg_seconds, "s", IMPORT_TARGET_SECONDS),
        info(f"parse a {label} .apkg as 4-choice questions", choices_seconds, "s"),
        info(f"parse the same {label} deck as CSV", csv_seconds, "s"),
        info(f"{label} .apkg size", len(data) / 1024 / 1024, "MB"),
        *stored,
    ]
