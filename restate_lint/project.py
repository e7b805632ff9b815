"""The cross-file index: every module of the project, parsed on demand, and lookups across them.

Module names follow what Python would import: a dotted path from the project
root (or `src/`), and an import is resolved the way running code from the
importer's folder would, nearest folder first. Only modules that are linted or
that a lookup reaches are parsed.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional, Union

import libcst as cst

from restate_lint.model.module import ModuleModel
from restate_lint.model.scope import Function
from restate_lint.model.services import ServiceDef
from restate_lint.source import SourceFile, UndecodableSource

if TYPE_CHECKING:
    from restate_lint.graph import ServiceGraph


class ParseFailure(Exception):
    """A file that cannot be read as Python; `row`/`column` locate it when known."""

    def __init__(self, message: str, row: int = 1, column: int = 1):
        super().__init__(message)
        self.row, self.column = row, column


_BRACKET = re.compile(r"[(\[{]|[)\]}]")
MAX_NESTING = 200  # CPython's own limit; libcst's native parser crashes (segfault) on a few thousand


def _check_nesting(text: str) -> None:
    depth = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "([{":
            depth += 1
            if depth > MAX_NESTING:
                row = text.count("\n", 0, match.start()) + 1
                raise ParseFailure(f"brackets nested more than {MAX_NESTING} deep", row, 1)
        else:
            depth -= 1


def parse(text: str) -> cst.Module:
    """libcst's tree of the text. libcst goes first so that code written for a newer Python
    than the one running the linter still parses; CPython's parser only locates errors."""
    _check_nesting(text)
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise python_syntax_error(text) or ParseFailure(f"syntax error: {exc.message}", exc.raw_line, exc.raw_column + 1) from exc
    except RecursionError as exc:
        raise ParseFailure("file is nested too deeply to parse") from exc


def syntax_failure(text: str) -> Optional[ParseFailure]:
    """Why a file does not parse, checked cheaply (CPython's parser, confirmed by libcst)."""
    if python_syntax_error(text) is None:
        return None
    try:
        parse(text)
    except ParseFailure as failure:
        return failure
    return None


def python_syntax_error(text: str) -> Optional[ParseFailure]:
    try:
        ast.parse(text)
    except SyntaxError as exc:
        return ParseFailure(f"syntax error: {exc.msg}", exc.lineno or 1, exc.offset or 1)
    except (ValueError, RecursionError, MemoryError) as exc:
        return ParseFailure(f"cannot parse file: {exc}")
    return None


def find_root(paths: Iterable[Path]) -> Path:
    """The nearest folder holding a pyproject.toml above the given paths, else the (first) given folder."""
    paths = [p.resolve() for p in paths] or [Path.cwd()]
    start = paths[0] if paths[0].is_dir() else paths[0].parent
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return start


class ParseCache:
    """Parsed files kept across runs and reused while a file's bytes are unchanged (the language
    server keeps one per project, so an edit reparses only the edited file). Trees are immutable;
    models are not, so they are rebuilt from the trees in every run. Also remembers where each
    project file resolves to, which costs system calls for every file of the project."""

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[bytes, Union[tuple[SourceFile, cst.Module], ParseFailure, UndecodableSource]]] = {}
        self._resolved: dict[Path, Path] = {}

    def resolve(self, path: Path) -> Path:
        if path not in self._resolved:
            self._resolved[path] = path.resolve()
        return self._resolved[path]

    def parse(self, path: Path, data: bytes) -> tuple[SourceFile, cst.Module]:
        entry = self._entries.get(path)
        if entry is None or entry[0] != data:
            try:
                source = SourceFile(str(path), data)
                entry = (data, (source, parse(source.text)))
            except (ParseFailure, UndecodableSource) as exc:
                entry = (data, exc)
            self._entries[path] = entry
        if isinstance(entry[1], Exception):
            raise entry[1]
        return entry[1]

    def forget(self, path: Path) -> None:
        self._resolved.pop(path, None)
        self._entries.pop(path.resolve(), None)


class Project:
    def __init__(self, root: Path, files: Iterable[Path] = (), overrides: Optional[dict[Path, bytes]] = None, cache: Optional[ParseCache] = None):
        self.root = root.resolve()
        self.cache = cache
        self.overrides = {p.resolve(): data for p, data in (overrides or {}).items()}
        self.src_root = self.root / "src" if (self.root / "src").is_dir() and not (self.root / "src" / "__init__.py").exists() else None
        self.path_by_name: dict[str, Path] = {}
        self.name_by_path: dict[Path, str] = {}
        for path in [*files, *self.overrides]:
            self.add_file(path)
        self._models: dict[Path, Union[ModuleModel, ParseFailure]] = {}
        self.analyses: dict = {}  # analyses memoised for this run (function summaries), keyed by their owners
        self._finalized = False
        self._finalizing = False
        self._graph: Optional["ServiceGraph"] = None

    # -- files and names --------------------------------------------------------------
    def add_file(self, path: Path) -> str:
        path = self.cache.resolve(path) if self.cache is not None else path.resolve()
        if path in self.name_by_path:
            return self.name_by_path[path]
        base = self.src_root if self.src_root and _is_under(path, self.src_root) else self.root
        parts = list(path.relative_to(base).with_suffix("").parts) if _is_under(path, base) else [path.stem]
        if parts and parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        self.path_by_name.setdefault(name, path)
        self.name_by_path[path] = name
        return name

    def read(self, path: Path) -> bytes:
        path = path.resolve()
        return self.overrides[path] if path in self.overrides else path.read_bytes()

    def resolve_module(self, dotted: str, importer: Optional[Path]) -> str:
        """The project module an import names, as its canonical name; `dotted` itself if none."""
        if importer is not None:
            folder = importer.resolve().parent
            base = self.src_root if self.src_root and _is_under(folder, self.src_root) else self.root
            while _is_under(folder, base):
                prefix = ".".join(folder.relative_to(base).parts)
                name = f"{prefix}.{dotted}" if prefix else dotted
                if name in self.path_by_name:
                    return name
                if folder == base:
                    break
                folder = folder.parent
        return dotted

    # -- models ------------------------------------------------------------------------
    def model(self, path: Path) -> Union[ModuleModel, ParseFailure]:
        """The module model of a project file (parsed once), or why it could not be parsed."""
        path = path.resolve()
        if path not in self._models:
            name = self.add_file(path)
            try:
                source, tree = self._parse(path)
                try:
                    self._models[path] = ModuleModel(name, source, tree, self, is_package=path.name == "__init__.py")
                except RecursionError as exc:
                    raise ParseFailure("file is nested too deeply to analyse") from exc
            except UndecodableSource as exc:
                self._models[path] = ParseFailure(f"cannot decode file: {exc}")
            except OSError as exc:
                self._models[path] = ParseFailure(f"cannot read file: {exc.strerror or exc}")
            except ParseFailure as exc:
                self._models[path] = exc
            if self._finalized and not self._finalizing:
                self._finalize_models()  # a module a lookup reached after the project was resolved
        return self._models[path]

    def _parse(self, path: Path) -> tuple[SourceFile, cst.Module]:
        if self.cache is not None:
            return self.cache.parse(path, self.read(path))
        source = SourceFile(str(path), self.read(path))
        return source, parse(source.text)

    def loaded_paths(self) -> set[Path]:
        """The files this run parsed: the linted ones and every module a lookup reached."""
        return set(self._models)

    def model_named(self, name: str) -> Optional[ModuleModel]:
        path = self.path_by_name.get(name)
        if path is None:
            return None
        model = self.model(path)
        return model if isinstance(model, ModuleModel) else None

    def models(self) -> list[ModuleModel]:
        return [m for m in self._models.values() if isinstance(m, ModuleModel)]

    # -- lookups across modules -------------------------------------------------------------
    def _symbol(self, qualname: Optional[str], _depth: int = 0):
        """(module, name) for a qualified name that lands in a project module, following re-exports."""
        if not qualname or _depth > 5:
            return None
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self.model_named(".".join(parts[:cut]))
            if module is None:
                continue
            name = parts[cut]
            bindings = module.bindings.get(name, [])
            if len(bindings) == 1 and bindings[0].kind == "import":
                rest = ".".join(parts[cut + 1 :])
                target = bindings[0].qualname + (f".{rest}" if rest else "")
                return self._symbol(target, _depth + 1)
            return module, parts[cut:], bindings
        return None

    def _single_binding(self, qualname: Optional[str]):
        """(module, name, binding) when a qualified name is bound exactly once at module level."""
        found = self._symbol(qualname)
        if not found:
            return None
        module, path, bindings = found
        return (module, path[0], bindings[0]) if len(path) == 1 and len(bindings) == 1 else None

    def lookup_service(self, qualname: Optional[str]) -> Optional[ServiceDef]:
        found = self._single_binding(qualname)
        if found and found[2].kind == "assign" and isinstance(found[2].node, cst.Call):
            return found[0].service_defined_by(found[2].node, None, found[1])
        return None

    def lookup_class(self, qualname: Optional[str]):
        """(module, ClassDef) for a module-level class of the project."""
        found = self._single_binding(qualname)
        return (found[0], found[2].node) if found and found[2].kind == "class" else None

    def lookup_function(self, qualname: Optional[str]) -> Optional[Function]:
        found = self._symbol(qualname)
        if not found:
            return None
        module, path, _ = found
        return module.function_named(".".join(path))

    def imported_modules(self, model: ModuleModel) -> set[str]:
        """Project modules `model` imports, at module level or inside functions."""
        scopes = [model.bindings, *(f.bindings for f in model.functions)]
        found = set()
        for bindings in scopes:
            for binding in (b for bs in bindings.values() for b in bs if b.kind == "import" and b.qualname):
                parts = binding.qualname.split(".")
                for cut in range(len(parts), 0, -1):
                    if ".".join(parts[:cut]) in self.path_by_name:
                        found.add(".".join(parts[:cut]))
                        break
        return found

    def service_graph(self) -> "ServiceGraph":
        """The calls between handlers of the whole project (built once, after `finalize`)."""
        if self._graph is None:
            from restate_lint.graph import build_graph

            self._graph = build_graph(self)
        return self._graph

    def _load_service_modules(self) -> None:
        """Parse the modules that mention `restate` (a byte test) and the project modules they import."""
        pending = [path for path in self.name_by_path if mentions_restate(self, path)]
        seen: set[Path] = set()
        self._finalizing = True  # resolve once at the end, not after every module
        try:
            while pending:
                path = pending.pop()
                if path in seen:
                    continue
                seen.add(path)
                model = self.model(path)
                if isinstance(model, ModuleModel):
                    pending.extend(self.path_by_name[name] for name in self.imported_modules(model))
        finally:
            self._finalizing = False
        self._finalize_models()

    # -- whole-project passes ----------------------------------------------------------------
    def finalize(self) -> None:
        """Resolve handlers, context parameters and durable operations across the project. Every
        module that can hold handlers is read first, whichever files are linted, so that what a
        check sees does not depend on which files were named (or on the order checks run in)."""
        self._finalized = True
        self._load_service_modules()

    def _finalize_models(self) -> None:
        self._finalizing = True
        try:
            while True:  # lookups may load more modules: resolve until nothing new arrives
                pending = [m for m in self.models() if not m.handlers_bound]
                if not pending:
                    break
                for model in pending:
                    model.bind_handlers()
                    model.bind_annotated_contexts()
                while any([model.propagate_contexts() for model in self.models()]):
                    pass
            for model in self.models():
                model.bind_operations()
        finally:
            self._finalizing = False


def mentions_restate(project: Project, path: Path) -> bool:
    try:
        return b"restate" in project.read(path)
    except OSError:
        return False


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def python_files_under(root: Path, excluded) -> list[Path]:
    """Every .py file below `root` that `excluded(path, is_dir)` keeps."""
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not excluded(here / d, True))
        found.extend(here / f for f in sorted(files) if f.endswith(".py") and not excluded(here / f, False))
    return found
