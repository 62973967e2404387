"""The limits every import is held to, with the message a user sees."""

from __future__ import annotations

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_QUESTIONS = 5_000
# An Anki package's members are read only up to these sizes (checked before reading, and again
# while reading, since a zip header can lie): a 5,000-card collection is a few megabytes.
MAX_MEMBER_BYTES = 100 * 1024 * 1024
MAX_PACKAGE_BYTES = 200 * 1024 * 1024


def too_big(size: int) -> str | None:
    if size > MAX_FILE_BYTES:
        return f"is larger than the {MAX_FILE_BYTES // 1024 // 1024} MB a deck file may be"
    return None


MAX_DECKS = 50
"""Decks a workspace may hold (the shipped bank not counted)."""
MAX_NAME = 100
"""Characters a deck's name may have."""
