"""Printing a run's result: the format, statistics, the summary, colour, and where it goes."""

from __future__ import annotations

import json
import sys
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator, Optional

from restate_lint.diagnostics import Diagnostic, applies
from restate_lint.output import FORMATTERS, formatter
from restate_lint.output.full import print_full
from restate_lint.output.styled import Printer, colour_options
from restate_lint.output.text import render_text, summary_line

TEXT_FORMATS = ("full", "concise", "text")  # text: the one-line form's old name
FORMATS = (*TEXT_FORMATS, *FORMATTERS)
JSON_FORMATS = ("json", "json-lines")
COLORS = ("auto", "always", "never")


@dataclass(frozen=True)
class Report:
    fmt: str = "full"
    statistics: bool = False
    quiet: bool = False  # the diagnostics only, no summary
    silent: bool = False  # nothing at all
    color: str = "auto"
    unsafe: bool = False
    output_file: Optional[Path] = None

    def emit(self, result, root: Path, fixed: Optional[int] = None, err: bool = False) -> None:
        """Print the diagnostics of `result`; `fixed` is how many --fix fixed (then a summary is
        always shown: files were changed); `err` sends it to standard error (standard output
        holds fixed text)."""
        if self.silent:
            return
        with self._stream(err) as (stream, terminal):
            printer = Printer(stream, colour_options(self.color, terminal, self.output_file is not None))
            if self.statistics:
                self._statistics(printer, stream, result.diagnostics, fixed)
            elif self.fmt == "full":
                print_full(printer, result, summary=not self.quiet, unsafe=self.unsafe, fixed=fixed, width=printer.width if terminal else None)
            elif self.fmt in TEXT_FORMATS:
                summary = not self.quiet and (terminal or fixed is not None)
                render_text(printer, result.diagnostics, summary=summary, unsafe=self.unsafe, fixed=fixed)
            else:
                stream.write(formatter(self.fmt)(result, root))
                if fixed is not None and not self.quiet:
                    print(summary_line(result.diagnostics, self.unsafe, fixed), file=sys.stderr)

    def _statistics(self, printer: Printer, stream: IO[str], diagnostics: list[Diagnostic], fixed: Optional[int]) -> None:
        rows = statistics(diagnostics, self.unsafe)
        if self.fmt in JSON_FORMATS:
            stream.write(json.dumps(rows, indent=2) + "\n")
            return
        width = max((len(str(r["count"])) for r in rows), default=1)
        lines = [f"{r['count']:>{width}}  {r['code']}  {'[*]' if r['fixable'] else '[ ]'} {r['name']}" for r in rows]
        if not self.quiet:
            lines.append(summary_line(diagnostics, self.unsafe, fixed))
        printer.print("\n".join(lines))

    @contextmanager
    def _stream(self, err: bool) -> Iterator[tuple[IO[str], bool]]:
        if self.output_file is None:
            stream = sys.stderr if err else sys.stdout
            yield stream, stream.isatty()
            return
        with open(self.output_file, "w", encoding="utf-8", errors="surrogateescape") as f:
            yield f, False


def statistics(diagnostics: list[Diagnostic], unsafe: bool) -> list[dict]:
    """The count table, as Ruff's `--statistics` (most frequent first)."""
    counts: Counter = Counter()
    fixable: Counter = Counter()
    names = {}
    for d in diagnostics:
        counts[d.code] += 1
        fixable[d.code] += applies(d.fix, unsafe)
        names[d.code] = d.name
    order = sorted(counts, key=lambda code: (-counts[code], code))
    return [{"code": c, "name": names[c], "count": counts[c], "fixable": fixable[c] > 0, "fixable_count": fixable[c]} for c in order]
