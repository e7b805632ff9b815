"""`primaryLocationLineHash`: the per-line fingerprint GitHub code scanning uses to follow an alert
across commits, computed exactly as GitHub's SARIF upload action does when a result lacks one
(src/fingerprints.ts in github/codeql-action), so that the upload accepts ours as consistent.

The file is read as UTF-8 text and walked in UTF-16 code units (JavaScript strings). Spaces and
tabs are skipped; CR, LF and CRLF all count as one LF. The hash of a line is a polynomial hash
(base 37, 64-bit wrap-around) of the BLOCK_SIZE units that follow the line's first counted unit,
with a 65535 "end of file" unit and zeros as padding at the end. Equal hashes are told apart by a
`:n` suffix counting their occurrences from the top of the file.
"""

from __future__ import annotations

import array
import sys

BLOCK_SIZE = 100
_BASE = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_BASE, BLOCK_SIZE, 1 << 64)
_TAB, _SPACE, _LF, _CR, _EOF = 9, 32, 10, 13, 65535


def _utf16_units(text: str) -> array.array:
    units = array.array("H", text.encode("utf-16-le", "surrogatepass"))
    if sys.byteorder == "big":
        units.byteswap()
    return units


def line_hashes(data: bytes) -> list[str]:
    """The fingerprint of every line of a file's bytes; index 0 is line 1."""
    units: list[int] = []
    starts: list[int] = []  # index in `units` where each line begins
    line_start, prev_cr = True, False
    for unit in _utf16_units(data.decode("utf-8", errors="replace")):
        if unit in (_SPACE, _TAB) or (prev_cr and unit == _LF):
            prev_cr = False
            continue
        prev_cr = unit == _CR
        if prev_cr:
            unit = _LF
        if line_start:
            starts.append(len(units))
            line_start = False
        line_start = unit == _LF
        units.append(unit)
    if line_start:
        starts.append(len(units))
    units.append(_EOF)
    units.extend([0] * BLOCK_SIZE)

    hashes, counts = [], {}
    h = 0  # hash of units[i - BLOCK_SIZE : i], zeros before the start
    next_line = 0
    for i, unit in enumerate(units):
        if next_line < len(starts) and starts[next_line] == i - BLOCK_SIZE:
            value = format(h, "x")
            counts[value] = counts.get(value, 0) + 1
            hashes.append(f"{value}:{counts[value]}")
            next_line += 1
        leaving = units[i - BLOCK_SIZE] if i >= BLOCK_SIZE else 0
        h = (_BASE * h + unit - _FIRST_MOD * leaving) & _MASK
    return hashes
