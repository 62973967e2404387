"""Block Kit building blocks shared by the renderings: sections, context lines, buttons, messages."""

from __future__ import annotations

from typing import Any

from adapters.slack.mrkdwn import escape
from bot import names

Block = dict[str, Any]
Message = dict[str, Any]

BUTTON_TEXT_MAX = 75
NAME_WIDTH = 24


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def plain_section(text: str) -> Block:
    """A section Slack shows as typed: no formatting, links or mentions."""
    return {"type": "section", "text": {"type": "plain_text", "text": text, "emoji": False}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def header(text: str) -> Block:
    """A header line; plain text, so nothing in it is parsed."""
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": False}}


def plain(text: str) -> Block:
    """Plain text for a button or an option, cut to the 75 characters Slack shows."""
    label = text if len(text) <= BUTTON_TEXT_MAX else text[: BUTTON_TEXT_MAX - 1] + "…"
    return {"type": "plain_text", "text": label, "emoji": False}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": plain(text),
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        element["style"] = style
    return element


def checkboxes(action_id: str, labels: list[str]) -> Block:
    """Checkboxes whose options' values are their positions."""
    options = [{"text": plain(label), "value": str(i)} for i, label in enumerate(labels)]
    return {"type": "checkboxes", "action_id": action_id, "options": options}


def message(fallback: str, blocks: list[Block]) -> Message:
    """`fallback` is plain text (escaped here: Slack parses it as mrkdwn too)."""
    return {"text": escape(fallback), "blocks": blocks}


def cell(name: str) -> str:
    """A name cleaned and shortened to fit a table column."""
    return names.shown(name, NAME_WIDTH)
