"""What every reader needs: decoding files safely and reporting problems as `file:line: reason`."""

from __future__ import annotations

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


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and control / len(sample) > 0.05


def read_text(path: str | Path) -> tuple[str, list[Problem]]:
    """Decode a file: UTF-8 (BOM or not) first, else cp1252 with a warning; binary files are refused.
    Line ends are normalised to LF."""
    path = Path(path)
    data = path.read_bytes()
    problems: list[Problem] = []
    if looks_binary(data):
        raise FormatError(f"{path}: looks like a binary file, not text; skipped")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        problems.append(Problem(str(path), line, "not valid UTF-8; read as Windows-1252 (cp1252)", "warning"))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, problems


def read_nonempty(path: str | Path) -> tuple[str | None, list[Problem]]:
    """read_text, with None (and a warning) for a file with nothing but white space."""
    text, problems = read_text(path)
    if not text.strip():
        return None, problems + [Problem(str(path), None, "empty file; skipped", "warning")]
    return text, problems

