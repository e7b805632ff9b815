"""Settings: `[tool.restate-lint]` in the nearest pyproject.toml, overridden by the command line."""

from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from restate_lint.registry import RULES

DEFAULT_EXCLUDES = (".git", ".venv", "venv", "build", "dist", "__pycache__", "node_modules")


class ConfigError(Exception):
    """A problem with configuration or selectors: one line for the user, exit code 2."""


@dataclass(frozen=True)
class Settings:
    select: Optional[tuple[str, ...]] = None  # None: every rule that is on by default
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    target_sdk_version: Optional[tuple[int, ...]] = None
    extend_nondeterministic: tuple[str, ...] = ()
    extend_io: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    force_exclude: bool = False  # apply the excludes to files named explicitly too (pre-commit)
    root: Path = field(default_factory=Path.cwd)
    config_file: Optional[Path] = None

    def enabled_codes(self, path: Optional[Path] = None) -> frozenset:
        chosen = expand(self.select) if self.select is not None else {c for c, r in RULES.items() if r.default_enabled}
        chosen = (chosen | expand(self.extend_select)) - expand(self.ignore)
        if path is not None:
            for pattern, codes in self.per_file_ignores:
                if _matches(path, pattern, self.root):
                    chosen -= expand(codes)
        return frozenset(chosen)

    def is_excluded(self, path: Path, is_dir: bool) -> bool:
        return any(_matches(path, pattern, self.root) for pattern in (*self.exclude, *self.extend_exclude))


def expand(selectors) -> set:
    """Codes named by selectors: `ALL`, a code (`RST201`) or a prefix (`RST2`)."""
    codes: set = set()
    for selector in selectors or ():
        selector = selector.strip().upper()
        matched = set(RULES) if selector == "ALL" else {c for c in RULES if c.startswith(selector)}
        if not matched:
            raise ConfigError(f"unknown rule selector {selector!r} (see `restate-lint rules`)")
        codes |= matched
    return codes


def _matches(path: Path, pattern: str, root: Path) -> bool:
    """A name pattern (`build`) matches any path component; a pattern with `/` matches from the root."""
    relative = _relative(path, root)
    pattern = pattern.rstrip("/")
    if "/" in pattern:
        return fnmatch.fnmatch(relative, pattern.lstrip("/")) or fnmatch.fnmatch(relative, pattern.lstrip("/") + "/*")
    return any(fnmatch.fnmatch(part, pattern) for part in relative.split("/"))


@lru_cache(maxsize=1 << 16)
def _relative(path: Path, root: Path) -> str:
    """`path` relative to the root, `/`-separated (as given when it lies outside). Asked for every
    file and folder a walk meets, for every pattern: resolved once."""
    try:
        return path.resolve().relative_to(_resolved(root)).as_posix()
    except ValueError:
        return path.as_posix()


@lru_cache(maxsize=256)
def _resolved(root: Path) -> Path:
    return root.resolve()


def _strings(key: str) -> Callable[[Any], tuple[str, ...]]:
    def parse(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"`{key}` must be a list of strings")
        return tuple(value)

    return parse


def _flag(key: str) -> Callable[[Any], bool]:
    def parse(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ConfigError(f"`{key}` must be true or false")
        return value

    return parse


def _per_file_ignores(value: Any) -> tuple:
    if not isinstance(value, dict):
        raise ConfigError("`per-file-ignores` must be a table of glob = [codes]")
    return tuple((pattern, _strings(f"per-file-ignores.{pattern}")(codes)) for pattern, codes in value.items())


def parse_version(value: Any) -> tuple[int, ...]:
    if not isinstance(value, str) or not re.fullmatch(r"\d+(\.\d+){0,2}", value.strip()):
        raise ConfigError(f"`target-sdk-version` must be a version like \"1.3.0\", not {value!r}")
    return tuple(int(p) for p in value.strip().split("."))


# key in pyproject.toml -> (Settings field, parser)
_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "select": ("select", _strings("select")),
    "extend-select": ("extend_select", _strings("extend-select")),
    "ignore": ("ignore", _strings("ignore")),
    "exclude": ("exclude", _strings("exclude")),
    "extend-exclude": ("extend_exclude", _strings("extend-exclude")),
    "force-exclude": ("force_exclude", _flag("force-exclude")),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "target-sdk-version": ("target_sdk_version", parse_version),
    "extend-nondeterministic": ("extend_nondeterministic", _strings("extend-nondeterministic")),
    "extend-io": ("extend_io", _strings("extend-io")),
    "allow": ("allow", _strings("allow")),
}


def has_own_config(folder: Path) -> bool:
    """The folder's pyproject.toml has a [tool.restate-lint] table. A pyproject.toml that does not
    mention restate-lint is not read (a broken one of another tool's is not ours to report)."""
    candidate = folder / "pyproject.toml"
    try:
        if not candidate.is_file() or b"restate-lint" not in candidate.read_bytes():
            return False
    except OSError:
        return False
    tool = _read_toml(candidate).get("tool", {})
    return isinstance(tool, dict) and "restate-lint" in tool


def project_root(path: Path) -> Path:
    """The root of the project a path belongs to: the nearest folder whose pyproject.toml has a
    [tool.restate-lint] table, else the nearest with a pyproject.toml, else the working directory
    (or the path's own folder when it lies outside it)."""
    start = path.resolve()
    start = start if start.is_dir() else start.parent
    plain = None
    for folder in (start, *start.parents):
        if has_own_config(folder):
            return folder
        if plain is None and (folder / "pyproject.toml").is_file():
            plain = folder
    if plain is not None:
        return plain
    cwd = Path.cwd().resolve()
    return cwd if cwd == start or cwd in start.parents else start


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: not UTF-8 at byte {exc.start}") from exc
    except RecursionError as exc:
        raise ConfigError(f"{path} is not valid TOML: nested too deeply") from exc


def load(path: Optional[Path], root: Path) -> Settings:
    """Settings from a config file (a pyproject.toml's [tool.restate-lint], or a plain TOML table)."""
    settings = Settings(root=root)
    if path is None:
        return settings
    data = _read_toml(path)
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table")
    table = tool.get("restate-lint", data if path.name != "pyproject.toml" else {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.restate-lint] must be a table")
    return from_table(table, settings, str(path), path)


def from_table(table: dict, settings: Settings, where: str, config_file: Optional[Path] = None) -> Settings:
    """`settings` with the options of a [tool.restate-lint] table (from a file, or an editor's
    settings) set on them."""
    values = {}
    for key, value in table.items():
        if key not in _KEYS:
            raise ConfigError(f"{where}: unknown option `{key}` in [tool.restate-lint] (known: {', '.join(_KEYS)})")
        name, parse = _KEYS[key]
        try:
            values[name] = parse(value)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    settings = replace(settings, config_file=config_file, **values)
    check_selectors(settings)
    return settings


def check_selectors(settings: Settings) -> None:
    """Fail early, with one line, on a selector that names no rule."""
    for selectors in (settings.select, settings.extend_select, settings.ignore, *(c for _, c in settings.per_file_ignores)):
        expand(selectors)
