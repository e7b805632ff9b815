"""Which restate-sdk version a project runs on: `target-sdk-version` in the config, else the
project's own dependency pins, else the newest SDK.

Pins are read from the project root: lock files first (uv.lock, poetry.lock: the exact version
installed), then declared requirements (pyproject.toml, requirements*.txt). A range counts by its
upper end: `restate-sdk<0.11` can only run an old SDK, `restate-sdk>=0.9` may run the newest.

A file that cannot be read, is not valid TOML, or holds entries of the wrong type (a
`dependencies` that is not a list of strings, a `package` entry that is not a table) tells
nothing: the next source is asked, and with none the newest SDK is assumed (RST501 on, RST502 a
warning). The linter never fails on another tool's file.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

if TYPE_CHECKING:
    from restate_lint.config import Settings

Version = tuple[int, ...]

_NAME = re.compile(r"^\s*restate[-_.]sdk\s*(\[[^\]]*\])?\s*(?P<spec>[^;#]*)", re.IGNORECASE)
_CLAUSE = re.compile(r"(===|==|~=|<=|>=|<|>|!=|\^|~)?\s*v?(\d+(?:\.\d+){0,2})(\.\*)?")
_BELOW = 10**6  # stands for "any number" when turning `< 0.11` into the newest version below it


def target_sdk_version(settings: "Settings") -> Optional[Version]:
    """The SDK version to assume; None means the newest."""
    if settings.target_sdk_version is not None:
        return settings.target_sdk_version
    return detect(settings.root.resolve())


@lru_cache(maxsize=32)
def detect(root: Path) -> Optional[Version]:
    for read in (_uv_lock, _poetry_lock, _pyproject, _requirements):
        try:
            found = read(root)
        except (OSError, ValueError, RecursionError):  # TOMLDecodeError and UnicodeDecodeError are ValueErrors
            continue  # an unreadable file tells nothing; the linter must not fail on it
        if found is not None:
            return found
    return None


def newest_allowed(spec: str) -> Optional[Version]:
    """The newest version a requirement specifier admits (None: no upper bound).
    `==0.10.2` -> (0, 10, 2); `>=0.9,<0.11` -> just below (0, 11, 0); `^0.10` (poetry) -> below 0.11."""
    bounds: list[Version] = []
    for clause in spec.split(","):
        m = _CLAUSE.fullmatch(clause.strip())
        if not m:
            continue
        op, version, wildcard = m.group(1) or "==", _version(m.group(2)), m.group(3)
        if op in ("==", "===") and wildcard:  # `==0.10.*`
            bounds.append(_just_below(_bump(version, len(m.group(2).split(".")) - 1)))
        elif op in ("==", "===", "<="):
            bounds.append(version)
        elif op == "<":
            bounds.append(_just_below(version))
        elif op == "~=":  # ~=0.10.2 -> <0.11; ~=1.2 -> <2
            parts = len(m.group(2).split("."))
            bounds.append(_just_below(_bump(version, max(parts - 2, 0))))
        elif op == "~":  # poetry: ~0.10 -> <0.11, ~1 -> <2
            parts = len(m.group(2).split("."))
            bounds.append(_just_below(_bump(version, 1 if parts >= 2 else 0)))
        elif op == "^":  # poetry: bump the first non-zero component
            digits = [int(p) for p in m.group(2).split(".")]
            first = next((i for i, d in enumerate(digits) if d), len(digits) - 1)
            bounds.append(_just_below(_bump(version, first)))
    return min(bounds) if bounds else None


def _version(text: str) -> Version:
    parts = [int(p) for p in text.split(".")]
    return tuple((parts + [0, 0, 0])[:3])


def _bump(version: Version, index: int) -> Version:
    return tuple([*version[:index], version[index] + 1] + [0] * (len(version) - index - 1))


def _just_below(version: Version) -> Version:
    """The newest version below `version`: (0, 11, 0) -> (0, 10, _BELOW)."""
    digits = list(version)
    for i in range(len(digits) - 1, -1, -1):
        if digits[i] > 0:
            digits[i] -= 1
            return tuple(digits[: i + 1] + [_BELOW] * (len(digits) - i - 1))
    return version


def _from_requirements(lines: Iterable[str]) -> Optional[Version]:
    for line in lines:
        m = _NAME.match(line)
        if m:
            spec = m.group("spec").strip()
            return newest_allowed(spec) if spec else None
    return None


def _table(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _entries(value: object) -> list:
    return value if isinstance(value, list) else []


def _toml(path: Path) -> dict:
    if not path.is_file():
        return {}
    with open(path, "rb") as f:
        return tomllib.load(f)


def _locked(path: Path) -> Optional[Version]:
    for package in _entries(_toml(path).get("package")):
        if isinstance(package, dict) and re.fullmatch(r"restate[-_.]sdk", str(package.get("name", "")), re.IGNORECASE):
            m = re.match(r"\d+(?:\.\d+){0,2}", str(package.get("version", "")))
            return _version(m.group(0)) if m else None
    return None


def _uv_lock(root: Path) -> Optional[Version]:
    return _locked(root / "uv.lock")


def _poetry_lock(root: Path) -> Optional[Version]:
    return _locked(root / "poetry.lock")


def _pyproject(root: Path) -> Optional[Version]:
    data = _toml(root / "pyproject.toml")
    project = _table(data.get("project"))
    requirements = list(_entries(project.get("dependencies")))
    for extra in _table(project.get("optional-dependencies")).values():
        requirements += _entries(extra)
    found = _from_requirements(r for r in requirements if isinstance(r, str))
    if found is not None:
        return found
    poetry = _table(_table(_table(data.get("tool")).get("poetry")).get("dependencies"))
    for name, value in poetry.items():
        if re.fullmatch(r"restate[-_.]sdk", name, re.IGNORECASE):
            spec = value.get("version", "") if isinstance(value, dict) else value
            return newest_allowed(spec) if isinstance(spec, str) else None
    return None


def _requirements(root: Path) -> Optional[Version]:
    for path in sorted(root.glob("requirements*.txt")):
        if not path.is_file():  # a FIFO would block the read
            continue
        found = _from_requirements(path.read_text(errors="replace").splitlines())
        if found is not None:
            return found
    return None
