"""Slack mrkdwn escaping: text that came from users (or the bank) is shown, never parsed.

Slack reads `<...>` as links and mentions (`<!channel>`, `<!here>`, `<@U123>`), and `&` starts an
entity, so these three characters are replaced by their entities in every echoed string.
"""

from __future__ import annotations

_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
# A backtick inside a code block could close it; U+02CB looks the same and closes nothing.
_SAFE_BACKTICK = "\u02cb"


def escape(text: str) -> str:
    for raw, entity in _ENTITIES:
        text = text.replace(raw, entity)
    return text


def code_block(text: str) -> str:
    """Preformatted text, escaped, that cannot end its block early."""
    return "```\n" + escape(text.replace("`", _SAFE_BACKTICK)) + "\n```"
