"""What the Discord stand-in records (requests) and is told to do (rate limits, failures)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float
    status: int


@dataclass
class RateLimit:
    method: str
    pattern: re.Pattern[str]
    times: int


@dataclass(frozen=True)
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    code: int
    message: str
