"""Exporters: every export reads back through its importer."""

from __future__ import annotations

import csv
import html
import io
import json
import sqlite3
import zipfile
from datetime import date
from typing import Any

import pytest

from bot.bank import QuestionBank, export_rows
from bot.decks.apkg_export import to_apkg
from bot.decks.entries import DeckOptions
from bot.decks.export import bank_entries, to_csv, to_yaml
from bot.decks.reader import read_deck

pytestmark = pytest.mark.timeout(60)
OPTIONS = DeckOptions(topic="team")
DECK = """\
questions:
  - id: team-ecs-launch
    topics: [team, ecs]
    kind: multiple_choice
    difficulty: easy
    prompt: "=HYPERLINK(\\"https://evil.example\\") Which runs ECS tasks without servers?"
    choices: [EC2 | spot, Fargate, "-Lambda", "@S3"]
    answer: Fargate
    explanation: |-
      Fargate runs the task.
      No servers to manage.
    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html
  - id: team-ecs-regional
    topics: [team]
    kind: true_false
    difficulty: medium
    prompt: Amazon ECS is a regional service.
    answer: true
    explanation: Clusters live in one Region.
    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html
  - id: team-eks
    topics: [team, eks]
    kind: flashcard
    difficulty: hard
    prompt: What does EKS stand for?
    answer: Elastic Kubernetes Service
    accepted: [Amazon EKS]
    explanation: Managed Kubernetes control plane.
    source: deck.yaml, line 20
"""


def entries() -> list[dict[str, Any]]:
    result = read_deck(DECK.encode(), "deck.yaml", OPTIONS)
    assert result.ok, result.problems
    return list(result.entries)


def test_yaml_export_round_trips_through_the_yaml_importer() -> None:
    original = entries()
    again = read_deck(to_yaml(original), "again.yaml", OPTIONS)
    assert again.ok, again.problems
    assert list(again.entries) == original


def test_csv_export_round_trips_through_the_csv_importer() -> None:
    original = entries()
    again = read_deck(to_csv(original), "again.csv", OPTIONS)
    assert again.ok, again.problems
    assert list(again.entries) == original


def test_csv_export_writes_formula_like_cells_as_text_for_spreadsheets() -> None:
    data = to_csv(entries())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["prompt"].startswith("'=HYPERLINK")
    assert (rows[0]["choice_3"], rows[0]["choice_4"]) == ("'-Lambda", "'@S3")
    assert rows[1]["answer"] == "true"


def test_apkg_export_round_trips_through_the_apkg_importer() -> None:
    """Studybot's note type carries each question whole in a field its cards never show."""
    original = entries()
    again = read_deck(to_apkg(original, "Team deck"), "team.apkg", OPTIONS)
    assert again.ok, again.problems
    assert list(again.entries) == original


def without_studybot_field(package: bytes, field: str) -> bytes:
    """The package with every note's hidden Studybot field replaced, as a deck edited elsewhere."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    connection = sqlite3.connect(":memory:")
    connection.deserialize(members["collection.anki2"])
    for nid, flds in connection.execute("SELECT id, flds FROM notes").fetchall():
        fields = flds.split("\x1f")
        connection.execute("UPDATE notes SET flds = ? WHERE id = ?", ("\x1f".join([*fields[:3], field]), nid))
    connection.commit()
    members["collection.anki2"] = connection.serialize()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "field",
    [
        "",
        "not json",
        html.escape(json.dumps({"prompt": 3, "answer": "x"})),
        html.escape(json.dumps({"prompt": "Q?", "choices": "A|B", "answer": "A"})),
        html.escape(json.dumps(["a list"])),
    ],
)
def test_an_apkg_whose_hidden_field_is_gone_or_unsound_reads_its_front_and_back(field: str) -> None:
    result = read_deck(without_studybot_field(to_apkg(entries(), "Team deck"), field), "team.apkg", OPTIONS)
    assert result.ok, result.problems
    choice, true_false, flashcard = result.entries
    assert choice["kind"] == "flashcard"
    assert choice["prompt"].endswith("A. EC2 | spot\nB. Fargate\nC. -Lambda\nD. @S3")
    assert choice["answer"] == "Fargate"
    assert choice["explanation"] == "Fargate runs the task.\nNo servers to manage."
    assert (true_false["prompt"], true_false["answer"]) == (
        "Amazon ECS is a regional service.\n\nTrue or false?",
        "True",
    )
    assert (flashcard["prompt"], flashcard["answer"]) == (
        "What does EKS stand for?",
        "Elastic Kubernetes Service",
    )
    assert flashcard["topics"] == ["team", "eks"]


def test_the_shipped_bank_exports_in_every_format_and_reads_back(bank: QuestionBank) -> None:
    rows = export_rows(bank)
    shaped = bank_entries(rows)
    for name, data in (("bank.yaml", to_yaml(shaped)), ("bank.csv", to_csv(shaped))):
        result = read_deck(data, name, DeckOptions("bank"))
        assert result.ok, (name, result.problems[:3])
        assert [e["prompt"] for e in result.entries] == [r["prompt"] for r in rows]
        assert [e["kind"] for e in result.entries] == [r["kind"] for r in rows]
        assert all(isinstance(e.get("verified", date.today()), date) for e in result.entries)
    packaged = read_deck(to_apkg(shaped, "Bank"), "bank.apkg", DeckOptions("bank"))
    assert packaged.ok, packaged.problems[:3]
    assert len(packaged.entries) == len(rows)
