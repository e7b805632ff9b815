"""Scan: what a file imports and whether it names a rule code, read from its bytes by a regular
expression (no parse), to decide which files need the full Restate model.

An import inside a string may be counted; that only costs an unneeded model. A backslash-continued
import line is not read; parenthesized ones are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

_IMPORT = re.compile(
    rb"(?:^|\r)[ \t]*(?:from[ \t]+(?P<dots>\.*)[ \t]*(?P<module>[\w.]*)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\r\n#;]*)"
    rb"|import[ \t]+(?P<plain>[^\r\n#;]*))",
    re.MULTILINE,
)
_NAME = re.compile(rb"[A-Za-z_][\w.]*")
_CODE = re.compile(rb"RST\d")
_COMMENT = re.compile(rb"#[^\r\n]*")  # in a parenthesized list of names

RawImport = tuple[int, str, tuple[str, ...]]  # (relative level, module, names imported from it)


@dataclass(frozen=True)
class Scan:
    imports: tuple[RawImport, ...]
    names_codes: bool  # mentions a rule code (a suppression comment, which RST900 may report)

    @property
    def imports_restate(self) -> bool:
        return any(level == 0 and (module == "restate" or module.startswith("restate.")) for level, module, _ in self.imports)


@dataclass
class ScannedFile:
    """A file as read for one run: its bytes, their hash, its scan, its module name."""

    path: Path  # resolved
    name: str  # module name
    data: bytes
    digest: str
    scan: Optional[Scan]  # None until the run needs it (a run answered whole from the cache does not)
    is_package: bool
    on_disk: bool  # not an editor's unsaved text: its stage results may go to the disk cache

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]


def _import_matches(data: bytes):
    """`_IMPORT.finditer(data)`, tried only at the starts of lines that hold `import` (finding
    them is several times cheaper than trying the expression at every line)."""
    end = 0
    at = data.find(b"import")
    while at >= 0:
        start = max(data.rfind(b"\n", 0, at), data.rfind(b"\r", 0, at)) + 1
        if start >= end:
            match = _IMPORT.match(data, start - 1 if start and data[start - 1] == 13 else start)
            if match is not None:
                end = match.end()
                yield match
            else:
                end = start + 1  # this line is done
        at = data.find(b"import", max(at + 6, end))


def scan(data: bytes) -> Scan:
    found: list[RawImport] = []
    for match in _import_matches(data):
        if match.group("plain") is not None:
            for part in match.group("plain").split(b","):
                name = _NAME.match(part.strip())
                if name:
                    found.append((0, name.group().decode("ascii", "replace"), ()))
        else:
            names = tuple(n.group().decode("ascii", "replace") for n in (_NAME.match(p.strip()) for p in _COMMENT.sub(b"", match.group("names")).strip(b"()").split(b",")) if n)
            found.append((len(match.group("dots")), match.group("module").decode("ascii", "replace"), names))
    return Scan(tuple(found), _CODE.search(data) is not None)


def candidates(raw: RawImport, package: str) -> list[str]:
    """Dotted names an import may load: the module, and each name as a submodule of it.
    Relative imports are made absolute from the importing module's package."""
    level, module, names = raw
    if level:
        base = package.split(".") if package else []
        base = base[: len(base) - (level - 1)] if level > 1 else base
        module = ".".join([*base, module] if module else base)
    found = [module] if module else []
    found += [f"{module}.{name}" if module else name for name in names if name != "*"]
    return found
