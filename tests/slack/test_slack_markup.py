"""Question text from a deck shows on Slack as written: it never links or pings (issue 18).

In mrkdwn, links and mentions are written `<...>` (`<https://x|text>`, `<@U1>`, `<!everyone>`),
so a text without a bare `<` or `>` holds none; `@everyone`, `@here` and `@channel` typed as
plain text carry a word joiner so that no automatic parsing can turn them into one. Markdown's
`[text](url)` and `**bold**` are not mrkdwn and show as typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adapters.slack import blocks, daily_blocks
from bot.daily.models import Reveal
from bot.models import AnswerOutcome, FlashcardAnswer, Mode, QuestionView
from bot.questions import Difficulty, Kind

pytestmark = pytest.mark.timeout(30)

HOSTILE = "Pick one: [click](https://evil) **bold** @everyone <@123>"
SHOWN = "Pick one: [click](https://evil) **bold** @\u2060everyone &lt;@123&gt;"


def mrkdwn_texts(message: dict[str, Any]) -> list[str]:
    """The fallback text and every mrkdwn text object of a message: all that Slack parses."""
    texts = [message["text"]]
    for block in message["blocks"]:
        objects = [block.get("text")] + block.get("elements", []) + block.get("fields", [])
        texts += [o["text"] for o in objects if isinstance(o, dict) and o.get("type") == "mrkdwn"]
    return texts


def assert_inert(message: dict[str, Any]) -> None:
    texts = mrkdwn_texts(message)
    assert any(SHOWN in text for text in texts)
    for text in texts:
        assert "<" not in text and ">" not in text, text
        assert "@everyone" not in text


def test_a_hostile_prompt_in_a_question_shows_as_written_and_links_and_pings_nothing() -> None:
    view = QuestionView(1, "team-1", "team", HOSTILE, Kind.MULTIPLE_CHOICE, Difficulty.EASY, HOSTILE,
                        ("A", "B"), Mode.PRACTICE)  # fmt: skip
    message = blocks.question(view)
    assert message["blocks"][0]["text"]["text"] == f"*{SHOWN}*"
    assert_inert(message)


def test_hostile_answers_explanations_and_reveals_are_inert() -> None:
    verdict = AnswerOutcome(1, "team-1", Kind.MULTIPLE_CHOICE, False, HOSTILE, HOSTILE, HOSTILE, HOSTILE,
                            0, 0, 0, 0, False, False, 1, Mode.PRACTICE, (HOSTILE,), (HOSTILE,))  # fmt: skip
    assert_inert(blocks.outcome(verdict))
    picks = AnswerOutcome(1, "team-1", Kind.MULTIPLE_RESPONSE, False, HOSTILE, HOSTILE, HOSTILE, HOSTILE,
                          0, 0, 0, 0, False, False, 1, Mode.PRACTICE,
                          (HOSTILE, "B"), (HOSTILE, "C"))  # fmt: skip
    assert_inert(blocks.outcome(picks))
    card = FlashcardAnswer(1, HOSTILE, HOSTILE, (HOSTILE,), HOSTILE, None)
    assert_inert(blocks.flashcard(card))
    reveal = Reveal(1, date(2026, 12, 7), HOSTILE, HOSTILE, HOSTILE, HOSTILE, 0, 0, (HOSTILE,), ())
    assert_inert(daily_blocks.reveal(reveal))
