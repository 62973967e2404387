"""Quizlet's export: one card a line, the term, a tab, then its definition.

The term is the question and the definition its answer, as Quizlet's own study modes ask.
"""

from __future__ import annotations

from bot.bank import Problem
from bot.decks.entries import Card, DeckImport, DeckOptions, finish

FORMAT = "quizlet"


def looks_like_quizlet(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and all(line.count("\t") == 1 for line in lines)


def parse_quizlet(text: str, display: str, options: DeckOptions) -> DeckImport:
    cards: list[Card] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        term, tab, definition = line.partition("\t")
        if not tab:
            problems.append(Problem(display, number, "", "has no tab between the term and its definition"))
            continue
        cards.append(Card(number, term, definition))
    return finish(FORMAT, display, cards, options, problems)
