"""The rules of a mock exam, as pure functions: its length and pace, which questions it draws,
and the scaled score.

CLF-C02: 65 questions in 90 minutes, four domains weighted 24 / 30 / 34 / 12 %, a scaled score
from 100 to 1,000 with 700 to pass. A shorter exam keeps the proportions and the pace.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from math import floor

from bot.exam_guide import DOMAINS
from bot.questions import Kind, Question

EXAM_QUESTIONS = 65
EXAM_MINUTES = 90
MIN_QUESTIONS = 5
MAX_MINUTES = 240
DOMAIN_WEIGHTS: Mapping[int, float] = {number: domain.weight for number, domain in DOMAINS.items()}
EXAM_KINDS = frozenset({Kind.MULTIPLE_CHOICE, Kind.MULTIPLE_RESPONSE})

LOWEST_SCORE, PASS_SCORE, HIGHEST_SCORE = 100, 700, 1000
PASS_SHARE = 0.70
"""The share of right answers that maps to the pass mark (the scale's one bend); AWS does not
publish its mapping, so this is the common reading of "about 70 % to pass"."""


def minutes_for(questions: int) -> int:
    """The exam's pace: 90 minutes for 65 questions, rounded to the minute (20 get 28)."""
    return max(1, round(questions * EXAM_MINUTES / EXAM_QUESTIONS))


def exam_shaped(questions: Iterable[Question]) -> list[Question]:
    """The questions an exam may ask: multiple choice and multiple response, as on the exam."""
    return [q for q in questions if q.kind in EXAM_KINDS]


def apportion(total: int, available: Mapping[int, int]) -> dict[int, int]:
    """How many questions each domain gets: the weights' shares by largest remainder, among the
    domains the pool covers (weights renormalised), never more than a domain has; what a domain
    cannot give goes to the others by the same rule."""
    counts = {domain: 0 for domain in available}
    left = min(total, sum(available.values()))
    while left > 0:
        open_domains = {d: DOMAIN_WEIGHTS.get(d, 0.0) or 1e-9 for d in available if counts[d] < available[d]}
        weight = sum(open_domains.values())
        shares = {d: left * w / weight for d, w in open_domains.items()}
        given = {d: min(floor(s), available[d] - counts[d]) for d, s in shares.items()}
        remaining = left - sum(given.values())
        by_remainder = sorted(open_domains, key=lambda d: (-(shares[d] - floor(shares[d])), d))
        for domain in by_remainder:
            if remaining == 0:
                break
            if counts[domain] + given[domain] < available[domain]:
                given[domain] += 1
                remaining -= 1
        for domain, extra in given.items():
            counts[domain] += extra
        left = remaining
    return counts


def draw(pool: Sequence[Question], total: int, seen: Mapping[str, int], rng: random.Random) -> list[Question]:
    """`total` distinct questions of `pool` in the domains' proportions, unseen ones first
    (then the least seen), in a random order. `seen` counts how often the person met each."""
    by_domain: dict[int, list[Question]] = {}
    for question in pool:
        by_domain.setdefault(question.domain, []).append(question)
    counts = apportion(total, {d: len(qs) for d, qs in by_domain.items()})
    drawn: list[Question] = []
    for domain, questions in by_domain.items():
        keyed = sorted(questions, key=lambda q: (seen.get(q.id, 0), rng.random()))
        drawn.extend(keyed[: counts[domain]])
    rng.shuffle(drawn)
    return drawn


def scaled_score(correct: int, total: int) -> int:
    """An estimate of the exam's scaled score: 100 for none right, 700 at 70 % right, 1,000 for
    all right, linear in between on each side of the pass mark; rounded down, so a
    share just short of 70 % never rounds up to a pass."""
    if total <= 0:
        return LOWEST_SCORE
    share = correct / total
    if share <= PASS_SHARE:
        value = LOWEST_SCORE + share / PASS_SHARE * (PASS_SCORE - LOWEST_SCORE)
    else:
        value = PASS_SCORE + (share - PASS_SHARE) / (1 - PASS_SHARE) * (HIGHEST_SCORE - PASS_SCORE)
    return floor(value + 1e-9)


def passed(score: int) -> bool:
    return score >= PASS_SCORE
