"""Where output formats read by other tools (SARIF, GitHub) place files: relative to the source
root, which is the git work tree holding the project (what GitHub resolves paths against), else
the project root."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from restate_lint.gitignore import git_toplevel


def source_root(root: Path) -> Path:
    return git_toplevel(root) or root.resolve()


def relative_path(path: Path, base: Path) -> Optional[str]:
    """`path` relative to `base` with `/` separators, or None when it lies outside."""
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return None


def printable(name: str) -> str:
    """A file name as one printable line in any output encoding: control characters (a newline
    could forge a diagnostic line) and the bytes of a name that is not UTF-8 (lone surrogates,
    from os.fsdecode) are written as Python escapes."""
    return name if name.isprintable() else "".join(c if c.isprintable() else _escape(c) for c in name)


def utf8_name(name: str) -> str:
    """The name with only its undecodable bytes escaped (JSON escapes control characters itself)."""
    return name if not any(0xDC80 <= ord(c) <= 0xDCFF for c in name) else "".join(_escape(c) if 0xDC80 <= ord(c) <= 0xDCFF else c for c in name)


def _escape(c: str) -> str:
    if 0xDC80 <= ord(c) <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{ord(c) - 0xDC00:02x}"
    return c.encode("unicode_escape", "backslashreplace").decode("ascii")
