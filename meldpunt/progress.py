"""Progress bars of long management commands: done, rows per second and time left (rich).

Shown only on a terminal (stdout is a TTY) and with verbosity ≥ 1, and only once the work
has taken a few seconds: a short import or rebuild prints what it always printed, and
output piped to a file or read by a test stays exactly as before.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

SHOW_AFTER_SECONDS = 2.0


class _RowsPerSecond(ProgressColumn):
    def render(self, task) -> Text:
        rows, elapsed = task.fields.get("rows", 0), task.elapsed or 0
        if not elapsed:
            return Text("")
        return Text(f"{rows / elapsed:,.0f} {task.fields.get('unit', 'rows')}/s", style="cyan")


class CommandProgress:
    """`update(completed, rows)`: `completed` out of `total` (bytes, days, …), `rows` the
    rows handled so far (what the rate counts)."""

    def __init__(self, console: Console | None, description: str, total: float | None, unit):
        self._console = console
        self._description = description
        self._total = total
        self._unit = unit
        self._started = time.monotonic()
        self._progress: Progress | None = None
        self._task = None

    @property
    def active(self) -> bool:
        """Whether a bar may be shown at all (a terminal, verbosity ≥ 1)."""
        return self._console is not None

    def update(self, completed: float, rows: int) -> None:
        if self._console is None:
            return
        if self._progress is None:
            if time.monotonic() - self._started < SHOW_AFTER_SECONDS:
                return
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                _RowsPerSecond(),
                TimeRemainingColumn(),
                console=self._console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(
                self._description, total=self._total, rows=0, unit=self._unit
            )
            # The rate counts from the start of the work, not from the bar's appearance.
            self._progress.tasks[0].start_time = self._started
        self._progress.update(self._task, completed=completed, rows=rows)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _console_of(command) -> Console | None:
    """A console on the command's stdout when it is a terminal and verbosity allows."""
    out = command.stdout
    if getattr(command, "verbosity", 1) < 1 or not out.isatty():
        return None
    return Console(file=out._out)


@contextmanager
def command_progress(
    command, description: str, total: float | None, unit: str = "rows"
) -> Iterator[CommandProgress]:
    """A progress bar for `command` (a BaseCommand whose handle() set `self.verbosity`)."""
    progress = CommandProgress(_console_of(command), description, total, unit)
    try:
        yield progress
    finally:
        progress.close()


def counted_lines(lines: Iterable, progress: CommandProgress, *, every: int = 2000):
    """Yield `lines` (bytes or str) and report their size and number every `every` lines:
    the bar of a file import whose service reads a stream (its total is the file size)."""
    size = count = 0
    for line in lines:
        size += len(line)
        count += 1
        if count % every == 0:
            progress.update(size, count)
        yield line
    progress.update(size, count)
