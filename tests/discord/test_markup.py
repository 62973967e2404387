"""Question text from a deck shows on Discord as written: it never formats, links or pings (issue 18).

Discord reads a backslash before punctuation as that character, so what a reader sees is the
escaped text with its escapes read (`shown`), and what Discord could still parse is any markup
character left without its backslash (`live_markup`). Inside a code span Discord reads nothing.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from adapters.discord import render, render_daily
from adapters.discord.markdown import safe
from bot.bank import QuestionBank
from bot.daily.models import Reveal
from bot.models import AnswerOutcome, FlashcardAnswer, Mode, QuestionView
from bot.questions import Difficulty, Kind

pytestmark = pytest.mark.timeout(30)

HOSTILE = "Pick one: [click](https://evil) **bold** @everyone <@123>"
_CODE_SPAN = re.compile(r"(`[^`\n]+`)")
_ESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")
_MARKUP = set("*_~|`[]<\\")


def _outside_code(text: str) -> list[str]:
    return _CODE_SPAN.split(text)[::2]


def shown(markdown: str) -> str:
    """The characters Discord shows for escaped text (escapes read; a zero-width space is invisible)."""
    parts = _CODE_SPAN.split(markdown)
    return "".join(p if i % 2 else _ESCAPE.sub(r"\1", p) for i, p in enumerate(parts)).replace("\u200b", "")


def live_markup(markdown: str) -> list[str]:
    """Markup characters Discord would still act on: those outside code spans without a backslash."""
    live: list[str] = []
    for part in _outside_code(markdown):
        escaped = False
        for char in part:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char in _MARKUP:
                live.append(char)
    return live


def assert_inert(markdown: str | None, original: str = HOSTILE) -> None:
    assert markdown is not None
    assert live_markup(markdown) == []
    assert "@everyone" not in markdown and "<@" not in markdown.replace("\\<@", "")
    assert shown(markdown) == original


def view(prompt: str, topic_name: str = "Team deck") -> QuestionView:
    return QuestionView(1, "team-1", "team", topic_name, Kind.MULTIPLE_CHOICE, Difficulty.EASY, prompt,
                        ("A", "B"), Mode.PRACTICE)  # fmt: skip


def outcome(text: str, correct: bool = False) -> AnswerOutcome:
    return AnswerOutcome(1, "team-1", Kind.MULTIPLE_CHOICE, correct, "B", text, text, "deck", 0, 0, 0, 0,
                         False, False, 1, Mode.PRACTICE, (text,), ("B",))  # fmt: skip


def test_a_hostile_prompt_shows_as_written_and_formats_links_and_pings_nothing() -> None:
    embed = render.question(view(HOSTILE, topic_name=HOSTILE))
    assert embed.description == (
        "Pick one: \\[click\\](https://evil) \\*\\*bold\\*\\* @\u200beveryone \\<@123>"
    )
    assert_inert(embed.description)
    assert_inert(embed.title)


def test_hostile_explanations_answers_and_reveals_are_inert() -> None:
    verdict = render.outcome(outcome(HOSTILE))
    assert_inert(verdict.description)
    assert_inert(verdict.fields[0].value)
    card = render.flashcard(FlashcardAnswer(1, HOSTILE, HOSTILE, (HOSTILE,), HOSTILE, None))
    assert_inert(card.description)
    assert_inert(card.fields[0].value)
    reveal = render_daily.reveal(
        Reveal(1, date(2026, 12, 7), HOSTILE, HOSTILE, HOSTILE, "deck", 0, 0, (), ())
    )
    assert reveal.description is not None
    prompt, answer = reveal.description.split("\n\n")
    assert_inert(prompt)
    bold_answer, explanation = answer.split("\n")
    assert bold_answer.startswith("**") and bold_answer.endswith("**")
    assert_inert(bold_answer[2:-2])
    assert_inert(explanation)


@pytest.mark.parametrize(
    "text",
    [
        "# Heading\n-# subtext\n> quote\n- item\n* item",
        "||spoiler|| ~~strike~~ __under__ _it_ `code",
        "<#123> <@&456> <:emoji:789> <t:1700000000:R> </quiz:1> \\*already escaped",
        "[a](https://one) and [b](https://two) https://three/[c](https://four)",
        "@here and @everyone",
    ],
)
def test_every_kind_of_discord_markup_is_shown_not_read(text: str) -> None:
    escaped = safe(text)
    assert live_markup(escaped) == []
    assert shown(escaped) == text
    assert "@here" not in escaped and "@everyone" not in escaped
    for line in escaped.split("\n"):
        assert not re.match(r"\s*(#|-|>|\*)", line), line


def test_code_spans_and_bare_urls_are_kept_so_the_shipped_bank_looks_as_before() -> None:
    text = "What does `docker build -t app_1 .` do? See https://docs.docker.com/build_cache/."
    assert safe(text) == text


def test_every_shipped_question_shows_exactly_as_written(bank: QuestionBank) -> None:
    texts = [t for q in bank.by_id.values() for t in (q.prompt, q.explanation, q.answer, *q.accepted)]
    assert len(texts) > 100
    changed = [t for t in texts if shown(safe(t)) != t]
    assert changed == []
    assert any("`docker build`" in safe(t) for t in texts)


def test_the_question_embed_still_fits_when_every_character_needs_an_escape() -> None:
    worst = "*" * 1000  # PROMPT_MAX characters, each doubled by its backslash
    embed = render.question(view(worst))
    assert embed.description is not None
    assert len(embed.description) <= 4096  # Discord's limit for an embed's description
