"""A project's Restate models bound with their project facts, for the deploy commands: the lint's
own stages (model, summarise, link, bind) run in this process over one folder's files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from restate_lint.config import Settings
from restate_lint.model.module import ModuleModel
from restate_lint.project.files import ModuleNames
from restate_lint.project.link import Linker
from restate_lint.runner import modelled_files, project_imports, read_source
from restate_lint.scan import ScannedFile, scan
from restate_lint.source import ParseFailure


@dataclass
class Loaded:
    root: Path
    models: list[ModuleModel] = field(default_factory=list)
    failures: dict[Path, str] = field(default_factory=dict)  # files that could not be read or parsed
    data: dict[Path, bytes] = field(default_factory=dict)  # the bytes of every modelled file


def load(root: Path, files: list[Path], settings: Settings) -> Loaded:
    """Model the files that may define or use Restate services (see `_restate_users`)."""
    from restate_lint.analysis.summarise import summarise  # noqa: PLC0415 - libcst only when loading
    from restate_lint.worker import build_model  # noqa: PLC0415

    loaded = Loaded(root.resolve())
    names = ModuleNames(root, [f.resolve() for f in files])
    scanned: dict[Path, ScannedFile] = {}
    for path in sorted(names.name_by_path):
        try:
            data = read_source(path)[0]
        except OSError as exc:
            loaded.failures[path] = f"cannot read file: {exc.strerror or exc}"
            continue
        digest = hashlib.blake2b(data, digest_size=20).hexdigest()
        scanned[path] = ScannedFile(path, names.name_by_path[path], data, digest, scan(data), path.name == "__init__.py", True)
    summaries, models = {}, {}
    for path in sorted(_restate_users(scanned, names)):
        file = scanned[path]
        model = build_model(file, names)
        if isinstance(model, ParseFailure):
            loaded.failures[path] = str(model)
            continue
        try:
            summaries[file.name] = summarise(model, settings)
        except RecursionError:
            loaded.failures[path] = "file is nested too deeply to analyse"
            continue
        models[file.name] = model
        loaded.data[path] = file.data
    linker = Linker(summaries)
    for name, model in sorted(models.items()):
        model.bind(linker.facts(name))
        loaded.models.append(model)
    return loaded


def _restate_users(files: dict[Path, ScannedFile], names: ModuleNames) -> set[Path]:
    """The files the lint would model (helpers and the classes of handler types included)."""
    imports = {path: project_imports(file, names).files & files.keys() for path, file in files.items()}
    return modelled_files(files, imports)
