"""Bytes to text: the size limit and the encodings a transcript may be saved in.

UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark (what
some Windows tools write) are read. Anything else is refused in one line that says
which line the first unreadable byte is on and, when it reads as Windows-1252
(Latin-1), says so.
"""

from __future__ import annotations

import codecs

from coachkit.exchange.calls.cues import fail

#: The largest transcript read, in bytes. A one-hour call is about 100 KB of text,
#: so 50 MB is far more than any real call; a larger file is refused by its size,
#: before any of it is parsed.
MAX_BYTES = 50 * 1024 * 1024
_SAVE_AS = "Save it as UTF-8 text and import it again."


def check_size(size: int, file_name: str) -> None:
    """Refuse a file larger than :data:`MAX_BYTES`."""
    if size > MAX_BYTES:
        fail(
            file_name,
            None,
            f"the file is {size:,} bytes, more than the {MAX_BYTES // 1024 // 1024} "
            "MB coachkit reads in a transcript. Is this the right file?",
        )


def decode(data: bytes, file_name: str) -> str:
    """The text of ``data``; raises ValidationError naming the file and line."""
    check_size(len(data), file_name)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].decode("utf-16", "replace").count("\n") + 1
            fail(file_name, f"line {line}", "the file is not readable UTF-16 text.")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"%PDF"):
        fail(
            file_name,
            None,
            "this is a document (such as .docx or .pdf), not a transcript file. "
            "Download the transcript as .vtt, .srt, .txt or .json.",
        )
    head = data[:4000]
    if head.count(0) > len(head) // 4:
        fail(
            file_name,
            None,
            "the file looks like UTF-16 text without a byte-order mark, or is not "
            f"text at all. {_SAVE_AS}",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        fail(file_name, f"line {line}", _not_utf8(data, exc.start))


def _not_utf8(data: bytes, start: int) -> str:
    byte = data[start]
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return f"the file is not UTF-8 text (byte 0x{byte:02x}). {_SAVE_AS}"
    letter = bytes([byte]).decode("cp1252")
    return (
        "the file is not UTF-8 text: it looks like Windows-1252 (Latin-1), where "
        f"byte 0x{byte:02x} is '{letter}'. {_SAVE_AS}"
    )
