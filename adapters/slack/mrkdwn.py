"""Slack mrkdwn escaping: text that came from users (or the bank) is shown, never parsed.

Slack reads `<...>` as links and mentions (`<!channel>`, `<!here>`, `<@U123>`), and `&` starts an
entity, so these three characters are replaced by their entities in every echoed string. A mrkdwn
text object also parses "certain mentions" in plain text unless it is marked verbatim, so
`@channel`, `@here` and `@everyone` get an invisible word joiner after the `@`: they show as
written and can never notify anyone. Markdown's `**bold**` and `[text](url)` are not mrkdwn and
show as typed.
"""

from __future__ import annotations

import re

_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_MASS_MENTION = re.compile(r"@(channel|here|everyone)")
_WORD_JOINER = "\u2060"
# A backtick inside a code block could close it; U+02CB looks the same and closes nothing.
_SAFE_BACKTICK = "\u02cb"


def escape(text: str) -> str:
    for raw, entity in _ENTITIES:
        text = text.replace(raw, entity)
    return _MASS_MENTION.sub("@" + _WORD_JOINER + r"\1", text)


def code_block(text: str) -> str:
    """Preformatted text, escaped, that cannot end its block early."""
    return "```\n" + escape(text.replace("`", _SAFE_BACKTICK)) + "\n```"
