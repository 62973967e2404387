"""Hypothesis feeds every importer random and damaged input: it never raises, every problem has
a place, and whatever it accepts is a sound question (never nonsense let through)."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable

import genanki
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.decks.entries import DeckImport, DeckOptions, check_entries
from bot.decks.reader import FORMATS, read_deck
from tests.decks.anki_builders import (
    BASIC_ID,
    REVERSED_ID,
    anki21b_package,
    basic,
    genanki_package,
    schema18_collection,
)

pytestmark = pytest.mark.timeout(300)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = {"apkg": "d.apkg", "yaml": "d.yaml", "csv": "d.csv", "tsv": "d.tsv", "txt": "d.txt"}
NAMES |= {"anki-text": "d.txt", "notes": "d.md", "quizlet": "d.txt"}
OPTIONS = DeckOptions(topic="fuzz")


def sound(result: DeckImport, display: str) -> None:
    """What every import result must be, whatever the input."""
    assert isinstance(result, DeckImport)
    for problem in (*result.problems, *result.warnings):
        assert problem.file == display and problem.line >= 1 and problem.message
    if not result.ok:
        return
    lines = [lambda _field: 1] * len(result.entries)
    assert check_entries(result.entries, lines, display) == []
    for entry in result.entries:
        for key in ("prompt", "explanation"):
            text = entry[key]
            assert text.strip() == text and text
            assert not any(unicodedata.category(c) in ("Cc", "Cs") and c != "\n" for c in text), text


def read_as(fmt: str) -> Callable[[bytes], DeckImport]:
    return lambda data: read_deck(data, NAMES[fmt], OPTIONS, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_never_crash_any_importer(fmt: str, data: bytes) -> None:
    sound(read_as(fmt)(data), NAMES[fmt])


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(data=st.binary(min_size=1, max_size=500))
def test_binary_input_is_never_accepted(fmt: str, data: bytes) -> None:
    result = read_as(fmt)(b"\x00" + data if fmt != "apkg" else data)
    assert not result.ok


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "apkg"])
@FUZZ
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=600))
def test_random_text_never_crashes_and_what_is_accepted_is_sound(fmt: str, text: str) -> None:
    sound(read_as(fmt)(text.encode()), NAMES[fmt])


@FUZZ
@given(rows=st.lists(st.tuples(st.text(max_size=90), st.text(max_size=90)), max_size=8))
def test_random_cells_in_a_csv_are_checked_not_trusted(rows: list[tuple[str, str]]) -> None:
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    writer.writerow(["question", "answer"])
    writer.writerows(rows)
    sound(read_deck(out.getvalue().encode(), "d.csv", OPTIONS), "d.csv")


GOOD_OLD = genanki_package([basic("What is ECS?", "Orchestrator"), basic("What is EKS?", "Kubernetes")])
GOOD_NEW = anki21b_package(
    schema18_collection([(BASIC_ID, ["What is ECR?", "Registry"], "ecr"), (REVERSED_ID, ["EKS", "K8s"], "")])
)


def _collection_of(package: bytes) -> tuple[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        name = "collection.anki21b" if "collection.anki21b" in archive.namelist() else "collection.anki2"
        return name, archive.read(name)


@pytest.mark.parametrize("collection_format", ["anki2", "anki21b"])
@FUZZ
@given(data=st.data())
def test_damaged_packages_and_collections_are_refused_or_read_soundly(
    collection_format: str, data: st.DataObject
) -> None:
    package = GOOD_OLD if collection_format == "anki2" else GOOD_NEW
    name, collection = _collection_of(package)
    target = data.draw(st.sampled_from(["package", "collection"]))
    blob = bytearray(package if target == "package" else collection)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(blob) - 1))
        blob[at] = data.draw(st.integers(0, 255))
    if target == "collection":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr(name, bytes(blob))
        blob = bytearray(out.getvalue())
    sound(read_deck(bytes(blob), "d.apkg", OPTIONS), "d.apkg")


CLOZE_PIECES = st.sampled_from(["{{c1::", "{{c2::", "}}", "::", "<b>", "</b>", "<br>", "&nbsp;", "@here"])
CLOZE_TEXT = st.lists(
    st.one_of(st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))), CLOZE_PIECES),
    max_size=10,
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes=st.lists(st.tuples(CLOZE_TEXT, st.text(max_size=30)), min_size=1, max_size=4))
def test_random_cloze_notes_in_a_package_are_read_soundly(notes: list[tuple[str, str]]) -> None:
    package = genanki_package([(genanki.CLOZE_MODEL, [text, extra], []) for text, extra in notes])
    result = read_deck(package, "d.apkg", OPTIONS)
    sound(result, "d.apkg")
    for entry in result.entries:
        assert not re.search(r"\{\{c\d+::", entry["prompt"])
