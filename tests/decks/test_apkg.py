"""Anki packages: both collection formats, note types, HTML, media, and every refusal."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import genanki
import pytest
import zstandard

from bot.decks.entries import DeckImport, DeckOptions
from bot.decks.limits import MAX_MEMBER_BYTES
from bot.decks.reader import read_deck
from tests.decks.anki_builders import (
    BASIC_ID,
    CLOZE_ID,
    REVERSED_ID,
    anki21b_package,
    basic,
    genanki_package,
    schema18_collection,
    zip_members,
)

pytestmark = pytest.mark.timeout(30)
OPTIONS = DeckOptions(topic="aws-notes")


def read(data: bytes, name: str = "deck.apkg") -> DeckImport:
    return read_deck(data, name, OPTIONS)


def prompts_and_answers(result: DeckImport) -> list[tuple[str, str]]:
    return [(e["prompt"], e["answer"]) for e in result.entries]


def test_a_genanki_package_of_basic_notes_becomes_flashcards_with_tags_as_topics() -> None:
    package = genanki_package([basic("What is ECS?", "A container orchestrator", "AWS::ECS", "compute")])
    result = read(package)
    assert result.ok, result.problems
    (entry,) = result.entries
    assert entry["kind"] == "flashcard"
    assert (entry["prompt"], entry["answer"]) == ("What is ECS?", "A container orchestrator")
    assert entry["topics"] == ["aws-notes", "aws-ecs", "compute"]
    assert entry["source"] == "deck.apkg, note 1"


def test_basic_and_reversed_notes_become_two_flashcards() -> None:
    model = genanki.BASIC_AND_REVERSED_CARD_MODEL
    result = read(genanki_package([(model, ["ECR", "Elastic Container Registry"], [])]))
    assert prompts_and_answers(result) == [
        ("ECR", "Elastic Container Registry"),
        ("Elastic Container Registry", "ECR"),
    ]


def test_a_cloze_note_becomes_one_flashcard_for_each_deletion_number() -> None:
    cloze = genanki.CLOZE_MODEL
    text = "{{c1::Fargate}} runs containers on {{c2::<b>ECS</b>::an orchestrator}} or {{c2::EKS}}"
    package = genanki_package(
        [
            basic("What is EKS?", "Managed Kubernetes"),
            (cloze, [text, "<i>Serverless</i> compute"], ["AWS::ECS"]),
        ]
    )
    result = read(package)
    assert result.ok, result.problems
    basic_card, first, second = result.entries
    assert basic_card["prompt"] == "What is EKS?"
    assert [(e["prompt"], e["answer"], e["kind"]) for e in (first, second)] == [
        ("[...] runs containers on ECS or EKS", "Fargate", "flashcard"),
        ("Fargate runs containers on [an orchestrator] or [...]", "ECS, EKS", "flashcard"),
    ]
    for entry in (first, second):
        assert entry["explanation"] == "Serverless compute"
        assert entry["source"] == "deck.apkg, note 2"
        assert entry["topics"] == ["aws-notes", "aws-ecs"]
    assert first["id"] != second["id"]


def test_a_cloze_note_without_extra_explains_with_its_whole_text() -> None:
    package = genanki_package([(genanki.CLOZE_MODEL, ["{{c1::Lambda}} runs functions", "<br>"], [])])
    (entry,) = read(package).entries
    assert (entry["prompt"], entry["answer"], entry["explanation"]) == (
        "[...] runs functions",
        "Lambda",
        "Lambda runs functions",
    )


def test_unusable_cloze_notes_are_problems_with_their_note_number() -> None:
    cloze = genanki.CLOZE_MODEL
    package = genanki_package(
        [
            (cloze, ["{{c1::Fargate}} is serverless and {{c2::}} is empty", ""], []),
            (cloze, ['{{c1::<img src="diagram.png">}} shows the flow', ""], []),
            (cloze, ["{{c1::" + "very long " * 60 + "}} is too long", ""], []),
            (cloze, ["{{c1::ECR stores images", ""], []),
            (cloze, ["No deletion at all", ""], []),
            basic("What is EKS?", "Managed Kubernetes"),
        ]
    )
    result = read(package)
    assert not result.ok
    assert [str(p) for p in result.problems] == [
        "deck.apkg:1: note 1: cloze c2 has no text to answer (it is empty or only an image)",
        "deck.apkg:2: note 2: cloze c1 has no text to answer (it is empty or only an image)",
        "deck.apkg:3: note 3: cloze c1's answer has 599 characters; a flashcard's answer may have 500",
        "deck.apkg:4: note 4: its deletion '{{c1::' is never closed with '}}'",
        "deck.apkg:5: note 5: is a Cloze note without a deletion such as {{c1::answer}}",
    ]


def test_image_occlusion_notes_are_left_out_with_a_warning() -> None:
    occlusion = "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.4:oi=1}}"
    collection = schema18_collection([(BASIC_ID, ["Q", "A"], ""), (CLOZE_ID, [occlusion, ""], "")])
    result = read(anki21b_package(collection))
    assert result.ok, result.problems
    assert prompts_and_answers(result) == [("Q", "A")]
    assert [p.message for p in result.warnings] == [
        "1 Image Occlusion note left out: their questions are drawn on an image"
    ]


def test_html_becomes_plain_text_and_media_are_left_out_with_a_warning(tmp_path: Path) -> None:
    image = tmp_path / "diagram.png"
    image.write_bytes(b"\x89PNG fake")
    front = '<div><b>What</b> does&nbsp;<i>ECS</i> stand for?</div><script>alert("x")</script>'
    back = 'Elastic Container&nbsp;Service<img src="diagram.png">[sound:say.mp3]<style>b{}</style>'
    result = read(genanki_package([basic(front, back)], media=[image]))
    assert result.ok, result.problems
    assert prompts_and_answers(result) == [("What does ECS stand for?", "Elastic Container Service")]
    assert [p.message for p in result.warnings] == ["1 media files left out: decks hold text only"]


def test_the_newer_zstd_collection_is_read_and_preferred_to_the_legacy_stub() -> None:
    collection = schema18_collection(
        [
            (BASIC_ID, ["What is Fargate?", "Serverless compute for containers"], "fargate"),
            (REVERSED_ID, ["EKS", "Elastic Kubernetes Service"], ""),
        ]
    )
    result = read(anki21b_package(collection, media_count=2))
    assert result.ok, result.problems
    assert prompts_and_answers(result) == [
        ("What is Fargate?", "Serverless compute for containers"),
        ("EKS", "Elastic Kubernetes Service"),
        ("Elastic Kubernetes Service", "EKS"),
    ]
    assert result.entries[0]["topics"] == ["aws-notes", "fargate"]
    assert [p.message for p in result.warnings] == ["2 media files left out: decks hold text only"]


def test_the_newer_format_knows_cloze_note_types_from_their_protobuf_config() -> None:
    collection = schema18_collection(
        [(BASIC_ID, ["Q", "A"], ""), (CLOZE_ID, ["{{c1::x}} and {{c2::y}}", "Why"], "letters")]
    )
    result = read(anki21b_package(collection))
    assert result.ok, result.problems
    assert prompts_and_answers(result) == [("Q", "A"), ("[...] and y", "x"), ("x and [...]", "y")]
    assert result.entries[1]["explanation"] == "Why"
    assert result.entries[1]["topics"] == ["aws-notes", "letters"]


def test_a_zip_bomb_is_refused_from_its_declared_sizes_before_anything_is_inflated() -> None:
    # 120 MB of zeros compress to about 120 kB.
    bomb = zip_members([("collection.anki2", bytes(MAX_MEMBER_BYTES + 20 * 1024 * 1024))])
    assert len(bomb) < 1024 * 1024
    result = read(bomb)
    (problem,) = result.problems
    assert "refused as a possible zip bomb" in problem.message


def test_a_zip_whose_header_understates_the_size_still_stops_at_the_limit() -> None:
    bomb = bytearray(zip_members([("collection.anki2", bytes(MAX_MEMBER_BYTES + 1024))]))
    # Rewrite the uncompressed size in both the local header and the central directory to 1 kB.
    local = bomb.index(b"PK\x03\x04")
    struct.pack_into("<I", bomb, local + 22, 1024)
    central = bomb.index(b"PK\x01\x02")
    struct.pack_into("<I", bomb, central + 24, 1024)
    result = read(bytes(bomb))
    (problem,) = result.problems
    # zipfile reads no further than the declared size, then the checksum gives the lie away.
    assert problem.message.startswith("cannot be unpacked: Bad CRC-32") and not result.entries


def test_a_zstd_bomb_in_the_newer_format_is_refused() -> None:
    bomb = zstandard.ZstdCompressor().compress(bytes(MAX_MEMBER_BYTES + 1024))
    result = read(zip_members([("collection.anki21b", bomb)]))
    (problem,) = result.problems
    assert "zip bomb" in problem.message


@pytest.mark.parametrize("name", ["../../etc/cron.d/evil", "/tmp/evil", "C:\\evil", "media/../../x"])
def test_a_member_with_a_path_trick_refuses_the_package(name: str, tmp_path: Path) -> None:
    good = genanki_package([basic("Q", "A")])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = [(i.filename, archive.read(i)) for i in archive.infolist()]
    result = read(zip_members([*members, (name, b"payload")]))
    (problem,) = result.problems
    assert "unsafe path" in problem.message and not result.entries


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Question,Answer\nQ,A\n", "is text, not an Anki package"),
        (b"%PDF-1.7 ...", "is a PDF document, not an Anki package"),
        (zip_members([("readme.txt", b"hello")]), "holds no Anki collection"),
        (zip_members([("collection.anki2", b"not a database")]), "not an SQLite database"),
        (zip_members([("collection.anki21b", b"not zstd")]), "cannot be unpacked"),
        (b"PK\x03\x04 truncated", "cannot be unpacked"),
    ],
)
def test_a_file_that_is_not_an_anki_package_is_refused_with_what_it_is(data: bytes, expected: str) -> None:
    result = read(data)
    (problem,) = result.problems
    assert expected in problem.message, problem


def test_an_sqlite_file_without_anki_tables_is_refused() -> None:
    import sqlite3

    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE other (x)")
    result = read(zip_members([("collection.anki2", connection.serialize())]))
    assert [p.message for p in result.problems] == ["is not an Anki collection: it has no notes table"]


def test_a_collection_whose_notes_are_a_never_ending_view_is_refused_not_run() -> None:
    import sqlite3

    connection = sqlite3.connect(":memory:")
    connection.executescript(
        "CREATE TABLE col (models text); INSERT INTO col VALUES ('{}');"
        "CREATE VIEW notes AS WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n) "
        "SELECT id, 0 AS mid, '' AS tags, 'q' || char(31) || 'a' AS flds FROM n;"
    )
    result = read(zip_members([("collection.anki2", connection.serialize())]))
    assert [p.message for p in result.problems] == ["is not an Anki collection: it has no notes table"]
