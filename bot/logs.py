"""Logging set-up: plain text or JSON lines, and never a token or a secret in either."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from pythonjsonlogger.json import JsonFormatter

# Slack tokens (xoxb-, xoxp-, xapp-...), Discord bot tokens (three base64url parts), and
# anything that looks like a password in a URL.
_TOKEN_PATTERNS = (
    re.compile(r"xox[abposr]-[0-9A-Za-z-]+"),
    re.compile(r"xapp-[0-9A-Za-z-]+"),
    re.compile(r"[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}"),
    re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"),
)
REDACTED = "[redacted]"


class RedactSecrets:
    """Masks known secret values and token-shaped strings."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _TOKEN_PATTERNS:
            text = pattern.sub(REDACTED, text)
        return text


class RedactingFormatter(logging.Formatter):
    """Formats with another formatter, then masks secrets in the finished line. The record
    itself is left alone, so other handlers see it as it was."""

    def __init__(self, inner: logging.Formatter, redactor: RedactSecrets) -> None:
        super().__init__()
        self.inner = inner
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self.redactor.redact(self.inner.format(record))


# Libraries that speak at INFO of their own routine: APScheduler two lines per job run (the
# scheduler's check runs every 10 s), Alembic a line per plugin and per migration step. They say
# what matters at WARNING; Studybot logs the start of leading and the migration itself.
QUIET_AT_INFO = ("apscheduler", "alembic")


class DropKnownNoise(logging.Filter):
    """Warnings libraries repeat at every start that ask nothing of whoever runs Studybot: Bolt
    noting that its client carries the token, discord.py that voice support is not installed
    (Studybot never joins voice)."""

    NOISE = ("`token` will be unused", "voice will NOT be supported")

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(noise in record.getMessage() for noise in self.NOISE)


def configure_logging(level: str, json_lines: bool, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    inner: logging.Formatter = (
        JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level"})
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.setFormatter(RedactingFormatter(inner, RedactSecrets(secrets)))
    handler.addFilter(DropKnownNoise())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_AT_INFO:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
