"""Card text made plain and safe: HTML to text, control characters out, mentions defused.

Deck text is shown in Slack and Discord messages. The renderers escape what their markup
parses (`<`, `>`, `&` in Slack mrkdwn; Markdown in Discord where they escape), so the importers
only have to hand them plain text: no HTML, no control or invisible formatting characters, and
no mention syntax that would turn a card into a ping.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

# Characters removed from card text: C0/C1 controls (but the line break), format characters
# (bidirectional overrides that reorder a line, zero-width characters that hide text) and
# lone surrogates. Line and paragraph separators become line breaks.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_LINE_SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\t": " ", "\r": "\n"})
_ASCII_CONTROLS = dict.fromkeys([*range(0x00, 0x0A), *range(0x0B, 0x20), 0x7F])
_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# `<@U123>`, `<#C123>`, `<!here>` (Slack) and `<@123>`, `<@&123>`, `<#123>` (Discord) are
# mentions; `@everyone`, `@here` and `@channel` ping whole channels where they are parsed.
_MENTION_SYNTAX = re.compile(r"<(?=[@#!])")
_MASS_MENTION = re.compile(r"@(?=(?:everyone|here|channel)\b)", re.IGNORECASE)
# U+2060 WORD JOINER: invisible, and it breaks both patterns (Red-DiscordBot's `escape`
# inserts a zero-width space the same way).
_DEFUSE = "\u2060"

_BLOCK_TAGS = frozenset("br div p li tr h1 h2 h3 h4 h5 h6 ul ol table hr blockquote".split())
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title", "template", "object", "iframe"})
_MEDIA_TAGS = frozenset({"img", "audio", "video", "source", "embed"})
# Anki's reference to a sound file in a field: `[sound:hello.mp3]`.
_SOUND = re.compile(r"\[sound:[^\]]*\]")


def plain(text: str, *, one_line: bool = False) -> str:
    """`text` as plain text a chat message can show as it is (see the module docstring)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").translate(_LINE_SEPARATORS)
    if text.isascii():  # the common case, a tenth of the time: only C0 controls and DEL to drop
        text = text.translate(_ASCII_CONTROLS)
    else:
        text = "".join(c for c in text if c == "\n" or unicodedata.category(c) not in _REMOVED_CATEGORIES)
    text = _MASS_MENTION.sub("@" + _DEFUSE, _MENTION_SYNTAX.sub("<" + _DEFUSE, text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    if one_line:
        return " ".join(line for line in lines if line)
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment; never fetches, executes or resolves anything."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.media = 0
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _MEDIA_TAGS:
            self.media += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, int]:
    """The text of an HTML fragment (an Anki field) and how many media it referred to."""
    sounds = len(_SOUND.findall(html))
    extractor = _TextExtractor()
    extractor.feed(_SOUND.sub("", html))
    extractor.close()
    return "".join(extractor.parts), extractor.media + sounds


def slug(name: str, limit: int = 40) -> str:
    """A topic id from a deck name or tag: "AWS::ECS basics" -> "aws-ecs-basics"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:limit].strip("-")
