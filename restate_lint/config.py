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

from restate_lint.cache import CACHE_DIR_NAME
from restate_lint.paths import RealPaths
from restate_lint.registry import RULES

DEFAULT_EXCLUDES = (".git", ".venv", "venv", "build", "dist", "__pycache__", "node_modules", CACHE_DIR_NAME)  # as Ruff skips its cache


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
    output_format: Optional[str] = None  # the command line's, when it names none
    fixable: Optional[tuple[str, ...]] = None  # None: every rule's fixes
    unfixable: tuple[str, ...] = ()
    ignore_noqa: bool = False  # the command line's --ignore-noqa: suppression comments are not read
    root: Path = field(default_factory=Path.cwd)
    config_file: Optional[Path] = None

    def enabled_codes(self, path: Optional[Path] = None) -> frozenset:
        return _enabled_codes(self, path)  # memoised: every rule family of every file asks

    def _codes_for(self, path: Optional[Path]) -> frozenset:
        chosen = expand(self.select) if self.select is not None else {c for c, r in RULES.items() if r.default_enabled}
        chosen = (chosen | expand(self.extend_select)) - expand(self.ignore)
        if path is not None:
            for pattern, codes in self.per_file_ignores:
                if _matcher((pattern,))(_relative(path, self.root)):
                    chosen -= expand(codes)
        return frozenset(chosen)

    def fixable_codes(self) -> frozenset:
        """The rules whose fixes are offered (`fixable` minus `unfixable`, as Ruff's)."""
        chosen = expand(self.fixable) if self.fixable is not None else set(RULES)
        return frozenset(chosen - expand(self.unfixable))

    def is_excluded(self, path: Path, is_dir: bool) -> bool:
        return _matcher(self.exclude + self.extend_exclude)(_relative(path, self.root))


@lru_cache(maxsize=4096)
def _enabled_codes(settings: Settings, path: Optional[Path]) -> frozenset:
    return settings._codes_for(path)


def expand(selectors) -> set:
    """Codes named by selectors: `ALL`, a code (`RST201`) or a prefix (`RST2`)."""
    return set(_expand(tuple(selectors or ())))


@lru_cache(maxsize=1024)
def _expand(selectors: tuple) -> frozenset:
    codes: set = set()
    for selector in selectors:
        selector = selector.strip().upper()
        matched = set(RULES) if selector == "ALL" else {c for c in RULES if c.startswith(selector)}
        if not matched:
            raise ConfigError(f"unknown rule selector {selector!r} (see `restate-lint rules`)")
        codes |= matched
    return frozenset(codes)


@lru_cache(maxsize=256)
def _matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a root-relative, `/`-separated path matches any of the patterns: a name pattern
    (`build`) matches any path component, a pattern with `/` matches from the root (the folder
    or anything in it). Compiled once: asked for every file and folder a walk meets."""
    names, paths = [], []
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if "/" in pattern:
            paths += [fnmatch.translate(pattern.lstrip("/")), fnmatch.translate(pattern.lstrip("/") + "/*")]
        else:
            names.append(fnmatch.translate(pattern))
    whole = re.compile("|".join(paths)).match if paths else lambda _: None
    part = re.compile("|".join(names)).match if names else lambda _: None
    return lambda relative: whole(relative) is not None or any(part(p) is not None for p in relative.split("/"))


_REAL = RealPaths()


@lru_cache(maxsize=1 << 16)
def _relative(path: Path, root: Path) -> str:
    """`path` relative to the root, `/`-separated (as given when it lies outside). Asked for every
    file and folder a walk meets, for every pattern: resolved once."""
    try:
        return _REAL(path).relative_to(_resolved(root)).as_posix()
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


def _typed(kind: type, what: str) -> Callable[[str], Callable[[Any], Any]]:
    """A parser factory for a setting of one plain type: `_typed(bool, "true or false")(key)`."""

    def for_key(key: str) -> Callable[[Any], Any]:
        def parse(value: Any) -> Any:
            if not isinstance(value, kind):
                raise ConfigError(f"`{key}` must be {what}")
            return value

        return parse

    return for_key


_flag = _typed(bool, "true or false")
_string = _typed(str, "a string")


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
    "output-format": ("output_format", _string("output-format")),
    "fixable": ("fixable", _strings("fixable")),
    "unfixable": ("unfixable", _strings("unfixable")),
}


# key -> (type, default, meaning): `restate-lint config [KEY]`
OPTIONS: dict[str, tuple[str, str, str]] = {
    "select": ("list of rule selectors", "every error and warning rule", "Rules to enable: codes (RST201), prefixes (RST2) or ALL; replaces the default set."),
    "extend-select": ("list of rule selectors", "[]", "Rules to enable on top of `select` (the info-level ones, say)."),
    "ignore": ("list of rule selectors", "[]", "Rules to disable."),
    "exclude": ("list of file patterns", repr(list(DEFAULT_EXCLUDES)).replace("'", '"'), "Files and folders never walked into: a name matches any path component, a pattern with `/` matches from the project root."),
    "extend-exclude": ("list of file patterns", "[]", "More patterns to exclude, on top of `exclude`."),
    "force-exclude": ("boolean", "false", "Apply the excludes to files named on the command line too (what pre-commit needs)."),
    "per-file-ignores": ("table of pattern = [rule selectors]", "{}", "Rules to disable in the files a pattern matches."),
    "target-sdk-version": ("version string", "the installed restate-sdk's, else the newest", "The restate-sdk version the code runs on (\"1.3.0\"); some rules depend on it."),
    "extend-nondeterministic": ("list of qualified names", "[]", "More non-deterministic APIs for RST101 (a function, a class or a whole module)."),
    "extend-io": ("list of qualified names", "[]", "More I/O APIs for RST102."),
    "allow": ("list of qualified names", "[]", "Catalogued APIs (and all under them) that durable code may call."),
    "output-format": ("string", "\"full\"", "How `check` prints its report when neither --output-format nor RESTATE_LINT_OUTPUT_FORMAT says: full, concise, json, json-lines, sarif, github, gitlab, rdjson, azure, pylint or junit."),
    "fixable": ("list of rule selectors", "every rule", "Rules whose fixes are offered and applied."),
    "unfixable": ("list of rule selectors", "[]", "Rules whose fixes are never offered (taken out of `fixable`)."),
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
    for selectors in (settings.select, settings.extend_select, settings.ignore, settings.fixable, settings.unfixable, *(c for _, c in settings.per_file_ignores)):
        expand(selectors)
