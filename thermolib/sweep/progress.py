"""Progress of a running sweep on stderr: a tqdm bar on a terminal, else a line every few percent
(build logs, notebooks, ``make data`` redirected to a file)."""
from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress", "LINE_PERCENT"]

#: Without a terminal, one line each time another this-many percent of the points are done ...
LINE_PERCENT = 5.0
#: ... but not more often than every this-many seconds (the last point always gets its line).
LINE_SECONDS = 5.0


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    """Count finished points of ``total`` (``initial`` already done before this run)."""

    def __init__(self, total: int, initial: int, desc: str, *, enabled: bool = True,
                 stream: TextIO | None = None):
        self.total, self.n, self.start_n, self.desc = total, initial, initial, desc
        self.stream = stream if stream is not None else sys.stderr
        self.t0 = time.monotonic()
        self.bar = None
        self.mode = "off"
        if not enabled or total <= 0:
            return
        if getattr(self.stream, "isatty", lambda: False)():
            try:
                from tqdm.auto import tqdm

                self.bar = tqdm(total=total, initial=initial, desc=desc, unit="pt", file=self.stream,
                                dynamic_ncols=True)
                self.mode = "bar"
                return
            except ImportError:  # pragma: no cover
                pass
        self.mode = "lines"
        self._last = self.t0
        self._next = (int(100.0 * initial / total / LINE_PERCENT) + 1) * LINE_PERCENT

    def update(self, n: int) -> None:
        self.n += n
        if self.mode == "bar":
            self.bar.update(n)
        elif self.mode == "lines":
            pct = 100.0 * self.n / self.total
            due = pct + 1e-9 >= self._next and time.monotonic() - self._last >= LINE_SECONDS
            if due or self.n >= self.total:
                self._line(pct)
                self._last = time.monotonic()
                self._next = (int(pct / LINE_PERCENT) + 1) * LINE_PERCENT

    def _line(self, pct: float) -> None:
        elapsed = time.monotonic() - self.t0
        now = self.n - self.start_n
        left = self.total - self.n
        eta = f", ~{_duration(elapsed / now * left)} left" if now and left else ""
        print(f"thermolib: {self.desc}: {self.n}/{self.total} points ({pct:.0f} %), "
              f"{_duration(elapsed)}{eta}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
