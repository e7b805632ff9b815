"""Text with styles, handed to rich only where it may show them (a terminal, or colour forced).

Building rich's text and printing it costs more than linting a few hundred findings does
(measured with benchmarks/bench.py: about a third of a dense project's main-process time), and
importing rich costs start-up time; a pipe or a file gets the same characters without either.
"""

from __future__ import annotations

import os
import shutil
from typing import IO, Optional, Union

# what rich removes from every text it prints (bell, backspace, vertical tab, form feed, CR)
_CONTROL = dict.fromkeys((7, 8, 11, 12, 13))


class Styled:
    """A sequence of (text, style) parts; `None` is no style."""

    __slots__ = ("parts",)

    def __init__(self, text: str = "", style: Optional[str] = None):
        self.parts: list[tuple[str, Optional[str]]] = [(text, style)] if text else []

    def append(self, text: str, style: Optional[str] = None) -> "Styled":
        if text:
            self.parts.append((text, style))
        return self

    def append_styled(self, other: "Styled") -> "Styled":
        self.parts.extend(other.parts)
        return self

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.parts)

    @staticmethod
    def join(separator: str, items: list["Styled"]) -> "Styled":
        out = Styled()
        for i, item in enumerate(items):
            if i:
                out.append(separator)
            out.append_styled(item)
        return out


class Printer:
    """Prints styled text to `stream`: through rich's console when `colour` gives its colour
    options (a dict, possibly empty: rich decides), as plain characters when it is None."""

    def __init__(self, stream: IO[str], colour: Optional[dict]):
        self.stream = stream
        self._console = None
        if colour is not None:
            from rich.console import Console  # noqa: PLC0415 - rich only where it may colour

            self._console = Console(file=stream, highlight=False, soft_wrap=True, **colour)

    @property
    def width(self) -> int:
        return self._console.width if self._console is not None else shutil.get_terminal_size().columns

    def print(self, text: Union[Styled, str]) -> None:
        if self._console is None:
            self.stream.write((text if isinstance(text, str) else text.plain).translate(_CONTROL) + "\n")
            return
        if isinstance(text, Styled):
            from rich.text import Text  # noqa: PLC0415 - see above

            text = Text.assemble(*((part, style or "") for part, style in text.parts))
            self._console.print(text, soft_wrap=True, highlight=False)
        else:
            self._console.print(text, soft_wrap=True, highlight=False, markup=False)


def colour_options(color: str, terminal: bool, to_file: bool) -> Optional[dict]:
    """rich's options for `--color` (None: no colour can be shown, rich is not needed). rich
    colours a stream that is a terminal, or any stream when FORCE_COLOR or TTY_COMPATIBLE=1 say
    so; NO_COLOR and TERM=dumb it handles itself."""
    if color == "never" or (color == "auto" and to_file):
        return None
    if color == "always":
        return {"force_terminal": True}
    forced = os.environ.get("TTY_COMPATIBLE") == "1" or (os.environ.get("FORCE_COLOR") or "") != ""
    if os.environ.get("TTY_COMPATIBLE") == "0" or not (terminal or forced):
        return None
    return {}
