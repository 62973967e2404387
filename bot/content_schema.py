"""The schema of the content files, checked with pydantic, and the rules of each question kind.

Only the shape of one question is checked here; rules that span questions (unique ids, known
topics) live in `bot.bank`, and bank-wide cue statistics in `bot.cues`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, StringConstraints, field_validator

from bot.exam_guide import DOMAINS
from bot.questions import (
    BUTTON_TEXT_MAX,
    EXPLANATION_MAX,
    MULTIPLE_CHOICE_CHOICES,
    MULTIPLE_RESPONSE_ANSWERS,
    MULTIPLE_RESPONSE_CHOICES,
    PROMPT_MAX,
    Difficulty,
    Kind,
    choose_count_phrase,
)

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,48}$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ButtonText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=BUTTON_TEXT_MAX)
]

# Where a `source` may point: public official documentation. A host matches itself and its
# subdomains (docs.aws.amazon.com matches aws.amazon.com); a path prefix narrows a shared host.
OFFICIAL_SOURCES: tuple[tuple[str, str], ...] = (
    ("aws.amazon.com", "/"),  # docs.aws.amazon.com, product and pricing pages
    ("d1.awsstatic.com", "/"),  # the exam guides as PDF
    ("aws.github.io", "/"),  # AWS's own guides hosted on GitHub Pages
    ("anywhere.eks.amazonaws.com", "/"),  # the EKS Anywhere documentation
    ("repost.aws", "/"),  # AWS re:Post and its Knowledge Center
    ("github.com", "/aws/"),  # AWS's own open-source tools (the Copilot CLI)
    ("kubernetes.io", "/"),
    ("docker.com", "/"),  # docs.docker.com
    ("opencontainers.org", "/"),
    ("github.com", "/opencontainers/"),  # the OCI specifications
    ("podman.io", "/"),  # the OCI tools: Podman, Buildah, Skopeo
    ("buildah.io", "/"),
    ("github.com", "/containers/"),
)
# Learners in a chat never saw the study notes the bank was first written from.
NOTES_MENTION = re.compile(r"\b(study notes?|the notes?|seeds?|seed files?)\b", re.IGNORECASE)


def official_source_problem(url: str) -> str | None:
    """Why `url` is not a public official documentation link, or None when it is one."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in url):
        return "must be an https URL of official documentation (a page a learner can open)"
    host, path = parts.hostname.lower(), parts.path or "/"
    for allowed_host, prefix in OFFICIAL_SOURCES:
        if (host == allowed_host or host.endswith("." + allowed_host)) and path.startswith(prefix):
            return None
    allowed = ", ".join(h + (p if p != "/" else "") for h, p in OFFICIAL_SOURCES)
    return f"'{host}' is not an official documentation site ({allowed})"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopicEntry(_Strict):
    id: Slug
    name: Text
    aliases: list[Slug] = Field(default_factory=list)


class TopicsFile(_Strict):
    topics: list[TopicEntry] = Field(min_length=1)


class QuestionEntry(_Strict):
    id: Slug
    topics: list[Slug] = Field(min_length=1)
    kind: Kind
    difficulty: Difficulty
    domain: StrictInt
    task: StrictStr
    verified: date = Field(strict=True)
    prompt: Annotated[Text, StringConstraints(max_length=PROMPT_MAX)]
    choices: list[ButtonText] = Field(default_factory=list)
    answer: ButtonText | bool | None = None
    answers: list[ButtonText] | None = None
    accepted: list[ButtonText] = Field(default_factory=list)
    explanation: Annotated[Text, StringConstraints(max_length=EXPLANATION_MAX)]
    source: Text

    @field_validator("domain")
    @classmethod
    def _known_domain(cls, value: int) -> int:
        if value not in DOMAINS:
            raise ValueError(f"must be a CLF-C02 domain, 1 to {max(DOMAINS)}")
        return value


class QuestionsFile(_Strict):
    """A file's outer shape; each entry is checked on its own as a `QuestionEntry`."""

    questions: list[object] = Field(min_length=1)


# (field, index within the field or None, message)
RuleProblem = tuple[str, int | None, str]


def _choice_count(entry: QuestionEntry, bounds: tuple[int, int], what: str) -> list[RuleProblem]:
    low, high = bounds
    if low <= len(entry.choices) <= high:
        return []
    return [("choices", None, f"{what} needs {low} to {high} choices, not {len(entry.choices)}")]


def _multiple_response_rules(entry: QuestionEntry, sound: Callable[..., bool]) -> list[RuleProblem]:
    found: list[RuleProblem] = []
    if sound("choices"):
        found += _choice_count(entry, MULTIPLE_RESPONSE_CHOICES, "a multiple-response question")
    if sound("answer") and entry.answer is not None:
        found.append(("answer", None, "a multiple-response question lists its right choices in answers"))
    if not sound("answers"):
        return found
    answers = entry.answers or []
    if len(answers) not in MULTIPLE_RESPONSE_ANSWERS:
        counts = " or ".join(str(n) for n in MULTIPLE_RESPONSE_ANSWERS)
        found.append(("answers", None, f"needs {counts} right choices, not {len(answers)}"))
    folded = [a.casefold() for a in answers]
    for i, answer in enumerate(answers):
        if sound("choices") and answer not in entry.choices:
            found.append(("answers", i, f"'{answer}' is not among the choices"))
        elif folded.index(answer.casefold()) != i:
            found.append(("answers", i, f"'{answer}' is listed twice"))
    if len(answers) in MULTIPLE_RESPONSE_ANSWERS and sound("prompt"):
        phrase = choose_count_phrase(len(answers))
        if not entry.prompt.endswith(phrase):
            found.append(("prompt", None, f"must end with '{phrase}' to match its {len(answers)} answers"))
    return found


def _content_rules(entry: QuestionEntry, sound: Callable[..., bool]) -> list[RuleProblem]:
    found: list[RuleProblem] = []
    if sound("id", "topics") and not entry.id.startswith(entry.topics[0]):
        found.append(("id", None, f"must start with its main topic id '{entry.topics[0]}'"))
    if sound("domain", "task") and entry.task not in DOMAINS[entry.domain].tasks:
        tasks = ", ".join(DOMAINS[entry.domain].tasks)
        found.append(("task", None, f"'{entry.task}' is not a task of domain {entry.domain} ({tasks})"))
    for name in ("prompt", "explanation"):
        mention = NOTES_MENTION.search(getattr(entry, name)) if sound(name) else None
        if mention:
            found.append(
                (
                    name,
                    None,
                    f"mentions '{mention.group(0)}': learners never saw the study notes; "
                    "name the fact or the misconception itself",
                )
            )
    source = official_source_problem(entry.source) if sound("source") else None
    if source:
        found.append(("source", None, source))
    return found


def question_rules(entry: QuestionEntry, failed: Collection[str] = ()) -> list[RuleProblem]:
    """Every rule the entry breaks beyond its fields' types: its kind's rules, a task outside its
    domain, a mention of the study notes, a source that is not official documentation.

    `failed` names the fields that failed their types when the entry was built unchecked (so that
    one lint run reports every problem): a rule that reads one of them says nothing."""

    def sound(*fields: str) -> bool:
        return not any(field in failed for field in fields)

    found = _content_rules(entry, sound)
    for i, choice in enumerate(entry.choices if sound("choices") else ()):
        if "\n" in choice:
            found.append(("choices", i, "must fit on one line"))
    if not sound("kind"):
        return found
    if entry.kind is Kind.MULTIPLE_RESPONSE:
        return found + _multiple_response_rules(entry, sound)
    if sound("answers") and entry.answers is not None:
        found.append(("answers", None, "only a multiple-response question has answers; use answer"))
    answer = entry.answer if sound("answer") else ""
    text_answer = answer is None or isinstance(answer, bool)
    if entry.kind is Kind.MULTIPLE_CHOICE:
        if sound("choices"):
            found += _choice_count(entry, MULTIPLE_CHOICE_CHOICES, "a multiple-choice question")
        if sound("answer") and text_answer:
            found.append(("answer", None, "the answer of a multiple-choice question is one of its choices"))
        elif sound("answer", "choices") and answer not in entry.choices:
            found.append(("answer", None, f"answer '{answer}' is not among the choices"))
    elif entry.kind is Kind.TRUE_FALSE:
        if sound("answer") and not isinstance(answer, bool):
            found.append(("answer", None, "the answer of a true/false question is true or false"))
        if sound("choices") and entry.choices:
            found.append(("choices", None, "a true/false question has no choices of its own"))
    else:
        if sound("answer") and text_answer:
            found.append(("answer", None, "the answer of a flashcard is text"))
        if sound("choices") and entry.choices:
            found.append(("choices", None, "a flashcard has no choices; list typed alternatives in accepted"))
    return found
