"""Discord markdown escaping: text from users, decks or the bank is shown, never parsed.

Discord reads a backslash before any punctuation as "show this character", so escaping costs the
reader nothing: `\\*\\*bold\\*\\*` shows `**bold**`. Escaped here, outside code spans and bare URLs:
the inline markers (`* _ ~ | \\` and backslash), masked links (`[` and `]`), every `<` (user,
role and channel mentions, custom emoji, timestamps and command mentions all start with one), and
headers, subtext, quotes and list items at the start of a line. `@everyone` and `@here` get a
zero-width space after the `@`, as discord.py's `escape_mentions` does, so they show but never
ping, even where a message's allowed mentions would let them.

Two things are kept as written, because escaping them would show stray backslashes: inline code
spans (Discord shows their insides as they are; the shipped bank writes `docker build` so) and
bare URLs (a backslash inside one would break the link; a bare URL shows where it goes).
"""

from __future__ import annotations

import re

_CODE_OR_URL = re.compile(r"(`[^`\n]+`|https?://[^\s<>`\[\]]*[^\s<>`\[\].,:;\"')*_~|])")
_INLINE = re.compile(r"([\\*_~|`\[\]<])")
_LINE_START = re.compile(r"^(\s*)(#|-#|>|[-*+] )", re.MULTILINE)
_MASS_MENTION = re.compile(r"@(everyone|here)")
_ZERO_WIDTH_SPACE = "\u200b"


def _escape_text(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(r"\1\\\2", text)
    return _MASS_MENTION.sub("@" + _ZERO_WIDTH_SPACE + r"\1", text)


def safe(text: str) -> str:
    """`text` for an embed's title, description or field value, or a message's content."""
    parts = _CODE_OR_URL.split(text)
    # split() with one group alternates: text, kept, text, kept, ..., text.
    return "".join(part if index % 2 else _escape_text(part) for index, part in enumerate(parts))


def literal(text: str) -> str:
    """`text` shown exactly as typed, code spans and URLs escaped too: free text a person wrote
    for others to read (a report's details), where a code span or a link is not meant as one."""
    return _escape_text(text)


# A backtick inside a code block could close it; U+02CB looks the same and closes nothing.
_SAFE_BACKTICK = "\u02cb"


def code_block(text: str) -> str:
    """Preformatted text shown as it is (a deck's problems, a table) that cannot end its block
    early; `@everyone` and `@here` get the zero-width space too."""
    return (
        "```\n"
        + _MASS_MENTION.sub("@" + _ZERO_WIDTH_SPACE + r"\1", text.replace("`", _SAFE_BACKTICK))
        + "\n```"
    )
