"""Names people choose (display names from a platform, team names typed in a command): cleaned,
checked and capped before they reach the database, and capped again wherever they are shown.

Cleaning drops what no name needs and what can mislead a reader or break a layout: NUL and
other control characters, bidi overrides and isolates, zero-width characters and every other
invisible format character (Unicode categories C*), and collapses runs of whitespace. Limits
are counted the way the database will store the text: a team's unique key is its case-folded
name, and case folding can make a name longer (`ﬃ` folds to `ffi`), so the folded length is
checked too.
"""

from __future__ import annotations

import unicodedata

DISPLAY_NAME_MAX = 80
"""Characters of a display name kept (the column holds 200)."""
WORKSPACE_NAME_MAX = 100
TEAM_NAME_MAX = 40
TEAM_KEY_MAX = 80
"""The case-folded team name is the team's unique key, in a column of 80 characters."""
SHOWN_MAX = 40
"""Characters of a name shown in a public message (a reveal, a leaderboard row)."""
ELLIPSIS = "…"


def clean(text: str) -> str:
    """NFC-normalised, without control or format characters, whitespace collapsed to one space."""
    kept = (
        " " if ch.isspace() else ch
        for ch in unicodedata.normalize("NFC", text)
        if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    return " ".join("".join(kept).split())


def cap(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def display_name(raw: str) -> str:
    """A platform's display name as stored: cleaned and capped (empty stays empty: the core
    then shows the user's id)."""
    return cap(clean(raw), DISPLAY_NAME_MAX)


def workspace_name(raw: str) -> str:
    return cap(clean(raw), WORKSPACE_NAME_MAX)


def shown(name: str, limit: int = SHOWN_MAX) -> str:
    """A stored name as a public message shows it: cleaned again (names stored before cleaning
    existed) and capped."""
    return cap(clean(name), limit)


class BadName(ValueError):
    """A typed name that cannot be used; the message says why, for the user."""


def team_name(raw: str) -> str:
    """A team name as stored: cleaned, 1 to 40 characters (and at most 80 once case-folded),
    with at least one letter or digit. Markup and mention syntax are allowed in names; every
    adapter escapes them when shown."""
    name = clean(raw)
    if not name:
        raise BadName("Give the team a name: /quiz team join NAME")
    if len(name) > TEAM_NAME_MAX or len(name.casefold()) > TEAM_KEY_MAX:
        raise BadName(f"Team names can be at most {TEAM_NAME_MAX} characters long.")
    if not any(ch.isalnum() for ch in name):
        raise BadName("A team name needs at least one letter or digit.")
    return name
