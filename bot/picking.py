"""Which question to ask next: never one the channel or the user saw recently, until the pool
is used up; then the one seen longest ago."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime


def pick_question(pool: Sequence[str], last_seen: Mapping[str, datetime], rng: random.Random) -> str:
    unseen = [q for q in pool if q not in last_seen]
    if unseen:
        return rng.choice(unseen)
    oldest = min(last_seen[q] for q in pool)
    return rng.choice([q for q in pool if last_seen[q] == oldest])
