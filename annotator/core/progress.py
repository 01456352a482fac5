"""A terminal progress line on stderr (silent when stderr is not a terminal, unless forced)."""

from __future__ import annotations

import sys
import time


class TerminalProgress:
    def __init__(self, label: str, total: int | None = None, *, stream=None, force: bool = False, every: float = 0.1):
        self.label, self.total = label, total
        self.stream = stream or sys.stderr
        self.enabled = force or getattr(self.stream, "isatty", lambda: False)()
        self.every = every
        self.started = self._last = time.perf_counter()
        self.count = 0

    def __call__(self, count: int, total: int | None = None) -> None:
        self.count = count
        if total is not None:
            self.total = total
        now = time.perf_counter()
        if self.enabled and (now - self._last >= self.every or count == self.total):
            self._last = now
            self.stream.write("\r" + self._line(now))
            self.stream.flush()

    def _line(self, now: float) -> str:
        rate = self.count / max(now - self.started, 1e-9)
        if self.total:
            width = 30
            filled = int(width * self.count / self.total)
            return f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.count}/{self.total} ({rate:,.0f}/s)"
        return f"{self.label} {self.count} ({rate:,.0f}/s)"

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r" + self._line(time.perf_counter()) + "\n")
            self.stream.flush()
