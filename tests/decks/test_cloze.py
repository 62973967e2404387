"""Cloze deletions as flashcards (`bot.decks.cloze`): examples, then Hypothesis properties.

The properties build a note as a model (words, deletions with numbers, hints and nested
deletions), write it in Anki's markup, with HTML around some words, and check that the parser
gives back what the model says: one card per deletion number, its deletions hidden and the
others shown, its answers, and no markup left in any prompt. Random markup never crashes it.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.decks.cloze import ClozeCard, cloze_cards, note_cards

pytestmark = pytest.mark.timeout(120)
PROPERTIES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_OPENING = re.compile(r"\{\{c(\d+)::")


def cards_of(text: str, html: bool = True) -> list[tuple[int, str, str]]:
    cards, problems = cloze_cards(text, html)
    assert problems == []
    return [(c.number, c.prompt, c.answer) for c in cards]


def test_each_number_is_one_card_and_shared_numbers_are_hidden_together() -> None:
    text = "{{c1::ECS}} and {{c2::EKS}} run containers; {{c1::Fargate}} runs {{c3::tasks::what?}}"
    assert cards_of(text) == [
        (1, "[...] and EKS run containers; [...] runs tasks", "ECS, Fargate"),
        (2, "ECS and [...] run containers; Fargate runs tasks", "EKS"),
        (3, "ECS and EKS run containers; Fargate runs [what?]", "tasks"),
    ]


def test_nested_deletions_hide_the_inner_one_inside_the_outer() -> None:
    text = "{{c1::Canberra was {{c2::founded}}}} in 1913"
    assert cards_of(text) == [
        (1, "[...] in 1913", "Canberra was founded"),
        (2, "Canberra was [...] in 1913", "founded"),
    ]


def test_html_is_read_after_the_markup_and_a_repeated_answer_is_given_once() -> None:
    text = "<div>{{c1::<b>ECR</b>}} stores images;</div><div>{{c1::ECR}} is a {{c2::registry::R&amp;D}}</div>"
    assert cards_of(text) == [
        (1, "\n[...] stores images;\n\n[...] is a registry\n", "ECR"),
        (2, "\nECR stores images;\n\nECR is a [R&D]\n", "registry"),
    ]


def test_braces_that_are_not_cloze_markup_are_text() -> None:
    text = "image: {{ .Values.image }} is set by {{c1::Helm}}}}"
    assert cards_of(text, html=False) == [(1, "image: {{ .Values.image }} is set by [...]}}", "Helm")]


def test_a_card_whose_text_would_spell_markup_is_a_problem() -> None:
    cards, problems = cloze_cards("{{c{{c2::1}}::z and {{c3::q}}", html=False)
    assert [(c.number, c.prompt) for c in cards] == [(2, "{{c[...]::z and q")]
    assert problems == ["cloze c3's text would show cloze markup: '{{c1::z and [...]'"]


def test_a_whole_text_too_long_to_explain_is_left_out_of_the_explanation() -> None:
    long = "x" * 400
    (card,), problems = note_cards(" ".join([f"{{{{c1::{long}}}}}"] * 4), True, line=1)
    assert (card.prompt, card.answer, card.explanation, problems) == ("[...] [...] [...] [...]", long, "", [])
    (card,), _ = note_cards("{{c1::x}} y", True, line=1, explanation="Why")
    assert card.explanation == "Why"


def test_plain_text_cells_are_not_read_as_html() -> None:
    assert cards_of("{{c1::<kept>}} stays", html=False) == [(1, "[...] stays", "<kept>")]


@dataclass
class Deletion:
    number: int
    children: list[Word | Deletion]
    hint: str = ""


@dataclass
class Word:
    plain: str
    markup: str = ""


Node = Word | Deletion
WORDS = st.text(alphabet=string.ascii_letters + string.digits + "éüß.?!'-", min_size=1, max_size=8)
TAGS = st.sampled_from(["{}", "<b>{}</b>", "<i>{}</i>", "<u>{}</u>", "<span class='x'>{}</span>"])


@st.composite
def words(draw: st.DrawFn) -> Word:
    plain = draw(WORDS)
    return Word(plain, draw(TAGS).format(plain))


def deletions(depth: int) -> st.SearchStrategy[Deletion]:
    inner: st.SearchStrategy[Node] = words() if depth >= 2 else st.one_of(words(), deletions(depth + 1))
    return st.builds(
        Deletion,
        number=st.integers(1, 4),
        children=st.lists(inner, min_size=1, max_size=3).filter(
            lambda c: any(isinstance(n, Word) for n in c)
        ),
        hint=st.one_of(st.just(""), WORDS),
    )


NOTES = st.lists(st.one_of(words(), deletions(0)), min_size=1, max_size=8).filter(
    lambda nodes: any(isinstance(n, Deletion) for n in nodes)
)


def markup(nodes: list[Node]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, Word):
            out.append(node.markup)
        else:
            hint = f"::{node.hint}" if node.hint else ""
            out.append(f"{{{{c{node.number}::{markup(node.children)}{hint}}}}}")
    return " ".join(out)


def revealed(nodes: list[Node]) -> str:
    return " ".join(n.plain if isinstance(n, Word) else revealed(n.children) for n in nodes)


def front(nodes: list[Node], number: int) -> str:
    out = []
    for node in nodes:
        if isinstance(node, Word):
            out.append(node.plain)
        elif node.number == number:
            out.append(f"[{node.hint}]" if node.hint else "[...]")
        else:
            out.append(front(node.children, number))
    return " ".join(out)


def hidden(nodes: list[Node], number: int) -> list[Deletion]:
    """The deletions of `number` a card hides (one inside another of its number is hidden with it)."""
    found = []
    for node in nodes:
        if isinstance(node, Deletion):
            found += [node] if node.number == number else hidden(node.children, number)
    return found


def numbers(nodes: list[Node]) -> set[int]:
    found: set[int] = set()
    for node in nodes:
        if isinstance(node, Deletion):
            found |= {node.number} | numbers(node.children)
    return found


def read(nodes: list[Node]) -> list[ClozeCard]:
    cards, problems = cloze_cards(markup(nodes))
    assert problems == []
    return cards


@PROPERTIES
@given(NOTES)
def test_every_deletion_number_yields_exactly_one_card(nodes: list[Node]) -> None:
    assert [card.number for card in read(nodes)] == sorted(numbers(nodes))


@PROPERTIES
@given(NOTES)
def test_a_prompt_never_shows_cloze_markup_or_html(nodes: list[Node]) -> None:
    for card in read(nodes):
        assert "{{c" not in card.prompt and "}}" not in card.prompt
        assert "<" not in card.prompt and "<" not in card.answer


@PROPERTIES
@given(NOTES)
def test_a_card_hides_its_deletions_and_shows_the_others_as_their_answers(nodes: list[Node]) -> None:
    for card in read(nodes):
        assert card.prompt == front(nodes, card.number)
        assert card.whole == revealed(nodes)


@PROPERTIES
@given(NOTES)
def test_the_answer_is_the_hidden_deletions_text_found_in_the_note(nodes: list[Node]) -> None:
    whole = revealed(nodes)
    for card in read(nodes):
        expected = dict.fromkeys(revealed(d.children) for d in hidden(nodes, card.number))
        assert card.answer == ", ".join(expected)
        for answer in expected:
            assert answer in whole


MARKUP_PIECES = st.sampled_from(
    ["{{c1::", "{{c2::", "{{c10::", "}}", "::", "{{", "<b>", "</b>", "<img src=x>"]
)
ODD_TEXT = st.lists(st.one_of(st.text(max_size=6), MARKUP_PIECES), max_size=12).map("".join)


@PROPERTIES
@given(ODD_TEXT, st.booleans())
def test_odd_markup_never_crashes_and_each_number_is_a_card_or_a_problem(text: str, html: bool) -> None:
    cards, problems = cloze_cards(text, html)
    assert all(problem.strip() for problem in problems)
    numbers_in_text = {int(n) for n in _OPENING.findall(text)}
    card_numbers = [card.number for card in cards]
    assert card_numbers == sorted(set(card_numbers))
    for card in cards:
        assert card.answer == card.answer.strip() and 0 < len(card.answer) <= 500
        assert not _OPENING.search(card.prompt)
    if not problems:
        assert set(card_numbers) == numbers_in_text
    elif cards:
        told = {int(n) for n in re.findall(r"cloze c(\d+)", " ".join(problems))}
        assert set(card_numbers) | told == numbers_in_text
