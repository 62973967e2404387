"""Anki packages (.apkg): a ZIP holding the collection database and numbered media files.

Nothing is extracted: members are read into memory by the names Anki gives them, and only
after their declared sizes pass the limits (a zip bomb is refused before it inflates); the read
itself stops at the limit too, since a header can lie. A member whose name is a path trick
(`../`, an absolute path, a drive letter) or a repeated name refuses the whole package: Anki
never writes one. The newest collection wins: `collection.anki21b` (zstd-compressed, read
with zstandard, again with a bounded output), then `collection.anki21`, then `collection.anki2`
(which newer packages keep only as a stub telling old Anki versions to update).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import zstandard

from bot.bank import Problem
from bot.decks.anki_collection import CollectionError, read_notes
from bot.decks.cloze import occlusion_warning
from bot.decks.entries import DeckImport, DeckOptions, finish, refused
from bot.decks.limits import MAX_MEMBER_BYTES, MAX_PACKAGE_BYTES

FORMAT = "apkg"
ZIP_MAGIC = b"PK\x03\x04"
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
_CHUNK = 1 << 20
_UNSAFE_NAME = re.compile(r"(^[/\\])|(^[A-Za-z]:)|((^|[/\\])\.\.([/\\]|$))|\x00")
_MEDIA_NAME = re.compile(r"^\d+$")


class PackageError(Exception):
    """The package is refused as a whole; the message says why."""


def _check_members(infos: list[zipfile.ZipInfo]) -> None:
    names: set[str] = set()
    for info in infos:
        if _UNSAFE_NAME.search(info.filename):
            raise PackageError(f"holds a member with an unsafe path ('{info.filename}'): refused")
        if info.filename in names:
            raise PackageError(f"holds two members named '{info.filename}': refused")
        names.add(info.filename)
        if info.flag_bits & 0x1:
            raise PackageError("is encrypted")
        if info.file_size > MAX_MEMBER_BYTES:
            raise PackageError(
                f"member '{info.filename}' would unpack to {info.file_size:,} bytes "
                f"(at most {MAX_MEMBER_BYTES:,}): refused as a possible zip bomb"
            )
    total = sum(info.file_size for info in infos)
    if total > MAX_PACKAGE_BYTES:
        raise PackageError(
            f"would unpack to {total:,} bytes (at most {MAX_PACKAGE_BYTES:,}): refused as a possible zip bomb"
        )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as member:
        data = member.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise PackageError(f"member '{info.filename}' unpacks past {MAX_MEMBER_BYTES:,} bytes: refused")
    return data


def _unzstd(data: bytes) -> bytes:
    declared = zstandard.frame_content_size(data)
    if declared > MAX_MEMBER_BYTES:
        raise PackageError(
            f"its collection would unpack to {declared:,} bytes: refused as a possible zip bomb"
        )
    out = io.BytesIO()
    with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
        while chunk := reader.read(_CHUNK):
            out.write(chunk)
            if out.tell() > MAX_MEMBER_BYTES:
                raise PackageError(f"its collection unpacks past {MAX_MEMBER_BYTES:,} bytes: refused")
    return out.getvalue()


def _collection(archive: zipfile.ZipFile) -> bytes:
    members = {info.filename: info for info in archive.infolist()}
    for name in COLLECTIONS:
        if name in members:
            data = _read_member(archive, members[name])
            return _unzstd(data) if name.endswith("b") else data
    raise PackageError(
        "holds no Anki collection (collection.anki21b, .anki21 or .anki2): not an Anki package"
    )


def parse_apkg(data: bytes, display: str, options: DeckOptions) -> DeckImport:
    if not data.startswith(ZIP_MAGIC):
        return refused(FORMAT, display, "is not an Anki package: an .apkg file is a ZIP archive")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_members(infos)
            database = _collection(archive)
        notes = read_notes(database, display)
    except (PackageError, CollectionError) as error:
        return refused(FORMAT, display, str(error))
    # What a damaged archive makes zipfile, zlib and zstandard raise (ValueError: a negative
    # offset in a corrupt directory; NotImplementedError: an unknown compression method).
    except (zipfile.BadZipFile, zlib.error, zstandard.ZstdError, EOFError, OSError, ValueError,
            NotImplementedError) as error:  # fmt: skip
        return refused(FORMAT, display, f"cannot be unpacked: {error}")
    problems = [Problem(display, line, "", f"note {line}: {message}") for line, message in notes.unusable]
    media = sum(1 for info in infos if _MEDIA_NAME.match(info.filename)) or notes.media
    warnings = []
    if media:
        warnings.append(Problem(display, 1, "", f"{media} media files left out: decks hold text only"))
    if notes.occlusions:
        warnings.append(occlusion_warning(display, notes.occlusions))
    return finish(FORMAT, display, notes.cards, options, problems, warnings)
