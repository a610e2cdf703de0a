"""How coachkit knows a file is its own, so it never replaces one a person made.

Every report file coachkit writes carries its mark:

- **HTML** (reports, ``report batch`` pages): ``<meta name="generator"
  content="coachkit">`` in the page's head;
- **Markdown** reports: the first line ``[//]: # (made by coachkit)``, a link
  definition that Markdown viewers do not show;
- **PNG** chart pictures: a ``Software`` text chunk that says ``coachkit``.

:func:`write_files` replaces a file only when it carries the mark (an earlier run of
the same report) or when asked to (``force``, the commands' ``--force``); any other
file of that name is refused, and nothing is written. Each file is written to a
temporary name beside it and then renamed, so a failed write leaves the old file as
it was. Exports and backups are kept, even coachkit's own: they go into a new or empty
folder and a new file unless ``force`` (:mod:`coachkit.exchange.archive`).
"""

from __future__ import annotations

import secrets
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path

from coachkit.errors import CoachkitError

#: The mark in the head of every HTML page coachkit writes.
HTML_MARK = '<meta name="generator" content="coachkit">'
#: The first line of every Markdown file coachkit writes (shown by no viewer).
MARKDOWN_MARK = "[//]: # (made by coachkit)"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT = b"Software\x00coachkit"
_HEAD_BYTES = 4096  # the marks sit at the start of a file


def mark_png(data: bytes) -> bytes:
    """Return the PNG picture ``data`` with coachkit's mark (a text chunk) in it."""
    if not data.startswith(_PNG_SIGNATURE) or _PNG_TEXT in data[:_HEAD_BYTES]:
        return data
    (header_length,) = struct.unpack(">I", data[8:12])
    after_header = 8 + 12 + header_length  # signature, then the IHDR chunk
    chunk = b"tEXt" + _PNG_TEXT
    crc = struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    text = struct.pack(">I", len(_PNG_TEXT)) + chunk + crc
    return data[:after_header] + text + data[after_header:]


def is_ours(path: Path) -> bool:
    """True when the file at ``path`` carries coachkit's mark."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError:
        return False
    if head.startswith(_PNG_SIGNATURE):
        return _PNG_TEXT in head
    text = head.decode("utf-8", errors="replace")
    return text.startswith(MARKDOWN_MARK) or (
        text.lstrip().lower().startswith("<!doctype html") and HTML_MARK in text
    )


def check_replace(path: Path, force: bool = False) -> None:
    """Refuse to write ``path`` when a file coachkit did not make is there.

    Raises
    ------
    CoachkitError
        ``path`` is a folder, or a file without coachkit's mark (and not ``force``).
        The message names the file and ``--force``.
    """
    if path.is_dir():
        raise CoachkitError(f"{path} is a folder; coachkit writes a file there.")
    if force or not (path.exists() or path.is_symlink()) or is_ours(path):
        return
    raise CoachkitError(
        f"{path} is already there and coachkit did not make it, so it is left as "
        "it is. Pass --force to replace it, or write into another folder."
    )


def write_files(files: Mapping[Path, str | bytes], force: bool = False) -> list[Path]:
    """Write each file (text as UTF-8), after checking every one of them first.

    A file that is in the way and not coachkit's stops them all before anything is
    written (see :func:`check_replace`). Returns the paths written, resolved.
    """
    for path in files:
        check_replace(path, force)
    written = []
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        _replace_with(path, data)
        written.append(path.resolve())
    return written


def _replace_with(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file beside ``path``, then rename it over ``path``."""
    part = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    fh = part.open("xb")  # a new name, so nothing else is touched
    try:
        with fh:
            fh.write(data)
        part.replace(path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
