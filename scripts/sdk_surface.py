"""Generate restate_lint/data/sdk_surface.json: the public API of every restate-sdk minor release.

    python scripts/sdk_surface.py                  # newest patch of every minor from 0.10 on
    python scripts/sdk_surface.py 0.10.2 1.3.0     # just these versions
    python scripts/sdk_surface.py --introspect     # the surface of the importable `restate`, as JSON

Each version is installed with pip into its own temporary directory and introspected by a fresh
interpreter that sees only that directory and the standard library (`python -S`), so nothing of
this environment leaks in. The committed table keeps, for every qualified name, runs of
consecutive versions with the same description (see restate_lint/sdk_surface.py for the format).
"""

from __future__ import annotations

import argparse
import collections.abc
import importlib
import inspect
import json
import os
import pkgutil
import re
import subprocess
import sys
import tempfile
import typing
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "restate_lint" / "data" / "sdk_surface.json"
OLDEST_MINOR = (0, 10)

# Classes whose members are recorded (besides their constructor): what handler code calls on
# contexts, their futures and promises, services and options.
MEMBER_CLASSES = re.compile(
    r"restate\.(context\.\w*(Context|Promise|Future|Handle|Request|RunOptions)\w*"
    r"|server_context\.Server(InvocationContext|ScopedContext|DurablePromise)"
    r"|(service|object|workflow)\.(Service|VirtualObject|Workflow))$"
)

_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "p",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "a",
    inspect.Parameter.VAR_POSITIONAL: "*",
    inspect.Parameter.KEYWORD_ONLY: "k",
    inspect.Parameter.VAR_KEYWORD: "**",
}


# -- introspection (runs inside the interpreter that has the SDK to describe) ---------------------
def introspect() -> dict:
    """{"version": "1.3.0", "names": {qualified name: description}} for the importable SDK."""
    import importlib.metadata

    import restate

    names: dict[str, dict] = {"restate": {"kind": "module"}}
    modules = [restate]
    for info in pkgutil.walk_packages(restate.__path__, "restate.", onerror=lambda _: None):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        try:
            modules.append(importlib.import_module(info.name))
            names[info.name] = {"kind": "module"}
        except Exception:  # an extension whose optional dependency is missing: its names are unknown
            names[info.name] = {"kind": "module", "opaque": True}
    for module in modules:
        for attr, value in sorted(vars(module).items()):
            if attr.startswith("_"):
                continue
            qualname = f"{module.__name__}.{attr}"
            if inspect.ismodule(value):
                if value.__name__.split(".")[0] == "restate":
                    names.setdefault(qualname, {"kind": "alias", "of": value.__name__})
                else:
                    names[qualname] = {"kind": "external"}
                continue
            home = _home(value)
            if home is not None and home != qualname:
                names[qualname] = {"kind": "alias", "of": home}
            elif home is None:
                names[qualname] = {"kind": "external"}
            else:
                names.update(_describe(qualname, value))
    return {"version": importlib.metadata.version("restate-sdk"), "names": names}


def _home(value) -> typing.Optional[str]:
    """Where the SDK defines `value` (None: not an SDK class or function)."""
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if not (isinstance(module, str) and isinstance(qualname, str)) or module.split(".")[0] != "restate":
        return None
    if not (inspect.isclass(value) or inspect.isfunction(value) or inspect.isbuiltin(value)):
        return None
    return f"{module}.{qualname}"


def _describe(qualname: str, value) -> dict[str, dict]:
    if inspect.isclass(value):
        found = {qualname: _class(value)}
        if MEMBER_CLASSES.match(qualname):
            for attr in sorted(dir(value)):
                if not attr.startswith("_"):
                    found[f"{qualname}.{attr}"] = _member(value, attr)
        return found
    return {qualname: _function(value, bound=False)}


def _class(cls: type) -> dict:
    found: dict = {"kind": "class"}
    signature = _signature(cls)
    if signature is not None:
        found["sig"] = signature
    if issubclass(cls, BaseException):
        found["bases"] = [f"{b.__module__}.{b.__qualname__}" for b in cls.__mro__[1:] if b is not object]
    return found


def _member(cls: type, attr: str) -> dict:
    raw = inspect.getattr_static(cls, attr)
    if isinstance(raw, staticmethod):
        return _function(raw.__func__, bound=False, kind="staticmethod")
    if isinstance(raw, classmethod):
        return _function(raw.__func__, bound=True, kind="classmethod")
    if inspect.isfunction(raw):
        return _function(raw, bound=True, kind="method")
    if isinstance(raw, property):
        return {"kind": "property"}
    return {"kind": "attribute"}


def _function(fn, bound: bool, kind: str = "function") -> dict:
    found: dict = {"kind": kind}
    signature = _signature(fn, drop_first=bound)
    if signature is not None:
        found["sig"] = signature
    awaitable = _returns_awaitable(fn)
    if awaitable is not None:
        found["awaitable"] = awaitable
    return found


def _signature(fn, drop_first: bool = False) -> typing.Optional[list]:
    """[[name, kind, default?], ...]: kind p/a/*/k/** (positional-only, either, *args, keyword-only,
    **kwargs); the default, when there is one, as a stable text."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    if drop_first and parameters and parameters[0].kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
        parameters = parameters[1:]
    out = []
    for p in parameters:
        entry = [p.name, _KINDS[p.kind]]
        if p.default is not inspect.Parameter.empty:
            entry.append(_default_text(p.default))
        out.append(entry)
    return out


def _default_text(value) -> str:
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, (tuple, list)) and all(v is None or isinstance(v, (bool, int, float, str)) for v in value):
        return repr(value)
    return f"<{type(value).__name__}>"  # an object's repr may hold its address: not stable


def _returns_awaitable(fn) -> typing.Optional[bool]:
    """Does calling `fn` give something to await: an `async def`, or a declared return type that
    is awaitable (a future, `Awaitable[..]`, `Coroutine[..]`). None when nothing is declared."""
    if inspect.iscoroutinefunction(fn):
        return True
    try:
        hint = typing.get_type_hints(fn).get("return", inspect.Parameter.empty)
    except Exception:  # an annotation that does not evaluate on this Python
        hint = inspect.signature(fn).return_annotation if callable(fn) else inspect.Parameter.empty
        if isinstance(hint, str):
            return bool(re.search(r"Awaitable|Coroutine|Future\b|DurableFuture", hint))
    if hint is inspect.Parameter.empty:
        return None
    origin = typing.get_origin(hint) or hint
    if origin is typing.Union:
        return any(_is_awaitable_type(a) for a in typing.get_args(hint) if a is not type(None))
    return _is_awaitable_type(hint)


def _is_awaitable_type(hint) -> bool:
    origin = typing.get_origin(hint) or hint
    return isinstance(origin, type) and issubclass(origin, collections.abc.Awaitable)


# -- generation (runs in the developer's environment) ---------------------------------------------
def released_minors() -> list[str]:
    """The newest patch of every restate-sdk minor from OLDEST_MINOR on, oldest first."""
    out = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "restate-sdk"], capture_output=True, text=True, check=True).stdout
    listed = re.search(r"Available versions:\s*(.*)", out)
    if listed is None:
        raise SystemExit(f"pip index versions gave no list:\n{out}")
    newest: dict[tuple[int, int], tuple[int, ...]] = {}
    for text in listed.group(1).split(","):
        if not re.fullmatch(r"\d+\.\d+\.\d+", text.strip()):
            continue  # pre-releases
        version = tuple(int(p) for p in text.strip().split("."))
        if version[:2] >= OLDEST_MINOR:
            newest[version[:2]] = max(newest.get(version[:2], version), version)
    return [".".join(map(str, v)) for _, v in sorted(newest.items())]


def surface_of(version: str) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"restate-sdk-{version}-") as target:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", target, f"restate-sdk=={version}"],
            check=True,
        )  # fmt: skip
        env = {**os.environ, "PYTHONPATH": target}
        out = subprocess.run([sys.executable, "-S", __file__, "--introspect"], capture_output=True, text=True, env=env, check=True, cwd=target).stdout
    found = json.loads(out)
    assert found["version"] == version, (found["version"], version)
    return found


def merge(surfaces: list[dict]) -> dict:
    """One table: the versions in order, and for each name the runs [first, last, description] of
    consecutive version indices that describe it the same way."""
    versions = [s["version"] for s in surfaces]
    runs: dict[str, list] = {}
    for index, surface in enumerate(surfaces):
        for name, description in surface["names"].items():
            entries = runs.setdefault(name, [])
            if entries and entries[-1][1] == index - 1 and entries[-1][2] == description:
                entries[-1][1] = index
            else:
                entries.append([index, index, description])
    return {"versions": versions, "names": dict(sorted(runs.items()))}


def dump(table: dict) -> str:
    """One line per name: small, and diffs between generations stay readable."""
    lines = ["{", f'"versions": {json.dumps(table["versions"])},', '"names": {']
    items = list(table["names"].items())
    for i, (name, entries) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        lines.append(f"{json.dumps(name)}: {json.dumps(entries, separators=(',', ':'))}{comma}")
    lines += ["}", "}", ""]
    return "\n".join(lines)


def main(argv: typing.Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("versions", nargs="*", help="restate-sdk versions (default: the newest patch of every minor from 0.10)")
    parser.add_argument("--introspect", action="store_true", help="print the surface of the importable restate package")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.introspect:
        json.dump(introspect(), sys.stdout)
        return
    versions = args.versions or released_minors()
    surfaces = []
    for version in versions:
        print(f"restate-sdk {version}", file=sys.stderr)
        surfaces.append(surface_of(version))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(dump(merge(surfaces)))
    print(f"wrote {args.output} ({len(versions)} versions)", file=sys.stderr)


if __name__ == "__main__":
    main()
