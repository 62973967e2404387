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


class RedactSecrets(logging.Filter):
    """Masks known secret values and token-shaped strings in every record's final message."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _TOKEN_PATTERNS:
            text = pattern.sub(REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def configure_logging(level: str, json_lines: bool, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets(secrets))
    if json_lines:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level"}
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
