"""Hostile and oversized input: limits, control characters, mentions and markup in card text."""

from __future__ import annotations

import warnings

import pytest

from adapters.slack import blocks
from bot.decks.entries import DeckImport, DeckOptions
from bot.decks.limits import MAX_FILE_BYTES, MAX_QUESTIONS
from bot.decks.reader import read_deck
from bot.decks.text import plain
from bot.models import Mode, QuestionView
from bot.questions import Difficulty, Kind
from tests.decks.anki_builders import basic, genanki_package

pytestmark = pytest.mark.timeout(60)
OPTIONS = DeckOptions(topic="team")


def read(data: bytes, name: str, choices: int | None = None) -> DeckImport:
    return read_deck(data, name, DeckOptions(OPTIONS.topic, choices))


def test_a_file_over_10_mb_is_refused_before_it_is_parsed() -> None:
    data = b"question,answer\n" + b"q,a\n" * (MAX_FILE_BYTES // 4)
    (problem,) = read(data, "big.csv").problems
    assert problem.message == "is larger than the 10 MB a deck file may be"


def test_a_deck_over_5000_questions_is_refused_with_the_count() -> None:
    rows = "".join(f"Question {i}?,Answer {i}\n" for i in range(MAX_QUESTIONS + 1))
    result = read(("question,answer\n" + rows).encode(), "many.csv")
    assert [str(p) for p in result.problems] == [
        "many.csv:1: holds 5,001 questions; a deck takes at most 5,000"
    ]


def test_exactly_5000_questions_are_accepted() -> None:
    rows = "".join(f"Question {i}?,Answer {i}\n" for i in range(MAX_QUESTIONS))
    assert read(("question,answer\n" + rows).encode(), "many.csv").ok


def test_fields_over_the_bank_limits_are_reported() -> None:
    text = f"question,answer,explanation\n{'p' * 1001},a,e\nq,a,{'e' * 1501}\n"
    assert [str(p) for p in read(text.encode(), "long.csv").problems] == [
        "long.csv:2: prompt: is longer than the 1000 characters a message can hold",
        "long.csv:3: explanation: is longer than the 1500 characters a message can hold",
    ]


def test_control_and_invisible_characters_are_removed() -> None:
    hostile = "What\x00 is\x07 \u202eECS\u202c?\u200b\x1b[31m"
    assert plain(hostile) == "What is ECS?[31m"
    assert plain("a\r\nb\u2028c\td") == "a\nb\nc d"


@pytest.mark.parametrize(
    "mention",
    [
        "<!channel>",
        "<!here|here>",
        "<@U0123ABC>",
        "<#C0123>",
        "<@123456789012345678>",
        "<@&987>",
        "@everyone",
        "@here",
    ],
)
def test_mentions_in_card_text_are_defused(mention: str) -> None:
    text = plain(f"Ask {mention} now")
    assert mention not in text
    assert text.replace("\u2060", "") == f"Ask {mention} now"


def _view(prompt: str, choices: tuple[str, ...]) -> QuestionView:
    return QuestionView(1, "team-x", "team", "Team <deck>", Kind.MULTIPLE_CHOICE, Difficulty.EASY, prompt,
                        choices, Mode.PRACTICE)  # fmt: skip


def test_imported_markup_reaches_slack_as_shown_text_never_as_a_ping_or_a_link() -> None:
    front = "<b>Ping</b> &lt;!channel&gt; &lt;@U0123&gt; @here &lt;https://evil.example|click&gt; *bold*"
    result = read(genanki_package([basic(front, "<i>&lt;!everyone&gt;</i>")]), "deck.apkg")
    (entry,) = result.entries
    assert "<b>" not in entry["prompt"]
    message = blocks.question(_view(entry["prompt"], (entry["answer"], "Other")))
    section = message["blocks"][0]["text"]["text"]
    assert "<" not in section and ">" not in section.replace("&gt;", "")
    assert "&lt;\u2060!channel&gt;" in section and "&lt;\u2060@U0123&gt;" in section
    assert "@\u2060here" in section
    buttons = [e["text"]["text"] for e in message["blocks"][1]["elements"]]
    assert buttons[0] == "A. <\u2060!everyone>"  # plain_text buttons show it; they parse nothing


def test_imported_mentions_do_not_ping_in_discord_embeds() -> None:
    with warnings.catch_warnings():
        # discord.py imports audioop for voice, which Python 3.11 deprecates; nothing here uses voice.
        warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
        from adapters.discord import render

    (entry,) = read(b"question,answer\n<@123456789012345678> and @everyone?,Yes\n", "d.csv").entries
    embed = render.question(_view(entry["prompt"], ()))
    assert embed.description is not None
    assert "<@123" not in embed.description and "@everyone" not in embed.description


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "deck.csv",
            genanki_package([basic("Q", "A")]),
            "is a ZIP archive (an Anki package? name it .apkg), not a csv",
        ),
        ("notes.md", b"\x89PNG\r\n\x1a\n...", "is a PNG image, not a notes text file"),
        ("deck.yaml", b"SQLite format 3\x00...", "is an SQLite database, not a yaml text file"),
        ("deck.txt", b"Q\x00u\x00e\x00", "holds NUL bytes: it is a binary file, not text"),
        ("deck.docx", b"question,answer\n", "has no known deck extension"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(name: str, data: bytes, expected: str) -> None:
    (problem,) = read(data, name).problems
    assert problem.message.startswith(expected), problem


def test_choice_counts_outside_what_a_message_shows_are_reported() -> None:
    text = "prompt,choices,answer\nWhich?,A|B|C|D|E|F|G,A\nOnly one?,A,A\n"
    assert [str(p) for p in read(text.encode(), "d.csv").problems] == [
        "d.csv:2: choices: a choice question needs 2 to 6 choices, not 7",
        "d.csv:3: choices: a choice question needs 2 to 6 choices, not 1",
    ]


def test_a_flashcards_answer_may_be_a_sentence_or_two_but_a_choice_fits_a_button() -> None:
    """The back of an Anki card is often longer than a button's 75 characters: a flashcard shows
    it in a message, so it is kept (up to 500); offered as a choice it must fit a button."""
    sentence = "A fully managed container orchestration service that runs and scales containers for you"
    text = f"question,answer\nWhat is ECS?,{sentence}\nWhat is too long?,{'x' * 501}\n"
    result = read(text.encode(), "backs.csv")
    assert result.entries[0]["answer"] == sentence and len(sentence) > 75
    assert [str(p) for p in result.problems] == [
        "backs.csv:3: answer: is longer than the 500 characters a flashcard's answer may be"
    ]
    rows = "".join(f"Term {i}?,Short answer {i}\n" for i in range(4))
    offered = read(f"question,answer\nWhat is ECS?,{sentence}\n{rows}".encode(), "c.csv", choices=4)
    assert any("a button can show" in str(p) for p in offered.problems)
