"""A source file as bytes and text, with the encoding facts a fixer must keep."""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from dataclasses import dataclass, field
from functools import cached_property


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class UndecodableSource(Exception):
    """The bytes are not text in the encoding the file declares (PEP 263)."""


class ParseFailure(Exception):
    """A file that cannot be read as Python; `row`/`column` locate it when known."""

    def __init__(self, message: str, row: int = 1, column: int = 1):
        super().__init__(message)
        self.row, self.column = row, column

    def __reduce__(self):  # cached and sent between processes with its position
        return (ParseFailure, (str(self), self.row, self.column))


@dataclass
class SourceFile:
    path: str  # as shown to the user
    data: bytes
    text: str = field(init=False)
    encoding: str = field(init=False)
    bom: bool = field(init=False)

    def __post_init__(self) -> None:
        self.bom = self.data.startswith(codecs.BOM_UTF8)
        try:
            self.encoding, _ = tokenize.detect_encoding(io.BytesIO(self.data).readline)
            self.text = self.data.decode(self.encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
            raise UndecodableSource(str(exc)) from exc
        if self.text.startswith("\ufeff"):
            self.text = self.text[1:]

    @cached_property
    def newline(self) -> str:
        """The file's line ending style, from its first line break (CR alone included)."""
        match = _LINE_BREAK.search(self.text)
        return match.group() if match else "\n"

    def with_newlines(self, text: str) -> str:
        """`text` with its line breaks in the file's style (for text inserted by a fix)."""
        return _LINE_BREAK.sub(self.newline, text)

    @cached_property
    def lines(self) -> list[str]:
        # Python's own line breaks only: str.splitlines() also splits on \f, \u2028...
        return _LINE_BREAK.split(self.text)

    def line(self, row: int) -> str:
        """The 1-based line `row`, or '' past the end."""
        return self.lines[row - 1] if 0 < row <= len(self.lines) else ""

    @cached_property
    def line_offsets(self) -> list[int]:
        """Character offset of the start of each line (index 0 is line 1)."""
        return [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]

    def offset(self, row: int, column: int) -> int:
        """Character offset of a 1-based row and 0-based character column."""
        return self.line_offsets[row - 1] + column

    def utf16_column(self, row: int, column: int) -> int:
        """Convert a 0-based code point column to UTF-16 code units (LSP)."""
        prefix = self.line(row)[:column]
        return column + sum(1 for ch in prefix if ord(ch) > 0xFFFF)

    def encode(self, text: str) -> bytes:
        """Bytes for new text, keeping the file's encoding and BOM."""
        body = text.encode(self.encoding)
        return codecs.BOM_UTF8 + body if self.bom and not body.startswith(codecs.BOM_UTF8) else body
