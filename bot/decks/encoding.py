"""Decoding a text file whose encoding nobody wrote down.

A byte-order mark decides where there is one; text that is valid UTF-8 is UTF-8 (random bytes
almost never are); otherwise charset-normalizer measures which code page reads as the least
garbled text. On a short file it often cannot tell the Western code pages apart (cp775 and
cp1250 read "café" about as well as Windows-1252), so Windows-1252 wins whenever it reads the
file about as well as the best guess (garbling and language coherence within 0.1): it is what
Excel writes on Windows.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACK = "cp1252"
# How much more garbled and less coherent (charset-normalizer's chaos and coherence, 0 to 1)
# Windows-1252 may read than the best guess and still win.
_FALLBACK_MARGIN = 0.1


class NotText(ValueError):
    """The bytes are not text in any encoding we would trust."""


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was read in; NotText when it is not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise NotText(f"starts with a {encoding} byte-order mark but is not {encoding}") from error
    if b"\x00" in data:
        raise NotText("holds NUL bytes: it is a binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise NotText("is not text in any encoding charset-normalizer knows")
    for match in matches:
        if (
            _FALLBACK in match.could_be_from_charset
            and match.chaos <= best.chaos + _FALLBACK_MARGIN
            and match.coherence >= best.coherence - _FALLBACK_MARGIN
        ):
            return data.decode(_FALLBACK, errors="replace"), _FALLBACK
    return str(best), best.encoding
