"""What every reader needs: decoding files safely and reporting problems as `file:line: reason`."""

from __future__ import annotations

import codecs
import stat
from dataclasses import dataclass
from pathlib import Path


class FormatError(ValueError):
    """A whole file cannot be read (binary, unknown format …)."""


@dataclass(frozen=True)
class Problem:
    """Something wrong at a place in an input file. level: 'warning' (imported anyway) or 'error' (record skipped)."""

    file: str
    line: int | None
    message: str
    level: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.level}: {self.message}"


MAX_FILE_BYTES = 1 << 30  # a larger input file is refused, not read into memory
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_MAX_LINE_WARNINGS = 20


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and control / len(sample) > 0.05


def read_bytes(path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` (default MAX_FILE_BYTES) bytes; pipes and
    devices are refused, never read."""
    path = Path(path)
    limit = MAX_FILE_BYTES if limit is None else limit
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise FormatError(f"{path}: not a regular file (a pipe, socket or device); save the data to a file first")
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FormatError(f"{path}: larger than {limit // (1 << 20)} MB; split it into smaller files")
    return data


def read_text(path: str | Path) -> tuple[str, list[Problem]]:
    """Decode a file: UTF-32/UTF-16 with a BOM, else UTF-8 (BOM or not) line by line; only a file
    that is wholly not UTF-8 is read as cp1252 (or latin-1), with a warning naming the codec.
    Binary files are refused. Line ends are normalised to LF."""
    path = Path(path)
    data = read_bytes(path)
    problems: list[Problem] = []
    codec = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if codec in ("utf-16", "utf-32"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            text = data.decode(codec, "replace")
            problems.append(Problem(str(path), None, f"not valid {codec.upper()}: bad bytes shown as \ufffd", "warning"))
        if text.startswith("\ufeff"):
            text = text[1:]
    else:
        if looks_binary(data):
            raise FormatError(f"{path}: looks like a binary file, not text; skipped")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_lines(path, data, problems)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, problems


def _decode_lines(path: Path, data: bytes, problems: list[Problem]) -> str:
    """A file that is not valid UTF-8 as a whole: valid UTF-8 lines stay UTF-8; a bad line of a UTF-8
    file is read as cp1252 if it holds no UTF-8 at all, else with its bad bytes replaced."""
    lines = data.removeprefix(codecs.BOM_UTF8).split(b"\n")
    decoded = [line.decode("utf-8", "replace") for line in lines]
    bad = [n for n, line in enumerate(lines) if "\ufffd" in decoded[n] and not _is_utf8(line)]
    if not any(_has_utf8(line) for line in decoded):  # wholly not UTF-8: a legacy code page
        try:
            text, codec = data.decode("cp1252"), "Windows-1252 (cp1252)"
        except UnicodeDecodeError:
            text, codec = data.decode("latin-1"), "Latin-1 (ISO-8859-1)"
        problems.append(Problem(str(path), bad[0] + 1, f"not UTF-8; the whole file was read as {codec}", "warning"))
        return text
    for n in bad:
        if not _has_utf8(decoded[n]) and _cp1252(lines[n]) is not None:
            decoded[n] = _cp1252(lines[n])
            message = "not valid UTF-8; this line was read as Windows-1252 (cp1252)"
        else:
            message = "not valid UTF-8; its bad bytes are shown as \ufffd"
        if len([p for p in problems if p.file == str(path)]) < _MAX_LINE_WARNINGS:
            problems.append(Problem(str(path), n + 1, message, "warning"))
    if len(bad) > _MAX_LINE_WARNINGS:
        problems.append(Problem(str(path), None, f"{len(bad)} lines in all are not valid UTF-8", "warning"))
    return "\n".join(decoded)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _has_utf8(decoded: str) -> bool:
    """Whether a line decoded as UTF-8 (bad bytes replaced) holds any real multi-byte character."""
    return any(not c.isascii() and c != "\ufffd" for c in decoded)


def _cp1252(line: bytes) -> str | None:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return None


def read_nonempty(path: str | Path) -> tuple[str | None, list[Problem]]:
    """read_text, with None (and a warning) for a file with nothing but white space."""
    text, problems = read_text(path)
    if not text.strip():
        return None, problems + [Problem(str(path), None, "empty file; skipped", "warning")]
    return text, problems

