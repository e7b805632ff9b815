"""Where the code of a version comes from: a folder (the working tree), a git revision (exported
to a folder of our own, see gitrev.py), or a manifest saved as JSON."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional

from restate_lint.config import Settings
from restate_lint.deploy.gitrev import export
from restate_lint.deploy.load import load
from restate_lint.deploy.manifest import build_manifest
from restate_lint.discovery import PathError, check_path, discover


@dataclass
class Version:
    manifest: dict
    label: str  # how messages and old-side locations name it: a revision, or a manifest file
    shown: Optional[Path] = None  # the folder its files are shown under, when they are files to show
    data: dict[str, bytes] = field(default_factory=dict)  # file (relative to the root) -> bytes


def tree_version(path: Path, settings_at: Callable[[Path], Settings]) -> Version:
    """The code under `path`, imports resolved from it (as running the app from there would),
    with the settings of that folder."""
    check_path(path)
    folder = path if path.is_dir() else path.parent
    root = folder.resolve()
    settings = settings_at(root)
    loaded = load(root, discover([path], settings), settings)
    data = {p.relative_to(root).as_posix(): d for p, d in loaded.data.items()}
    return Version(build_manifest(loaded), "the working tree", folder, data)


def tree_manifest(path: Path, settings_at: Callable[[Path], Settings]) -> dict:
    return tree_version(path, settings_at).manifest


def revision_version(git_dir: Path, revision: str, subpath: str, settings: Settings) -> Version:
    """The code under `subpath` at `revision`, with `settings` (the working tree's) for excludes."""
    with tempfile.TemporaryDirectory(prefix="restate-lint-") as tmp:
        root = Path(tmp, "tree")
        export(git_dir, revision, subpath, root)
        folder = root.joinpath(*subpath.split("/")) if subpath else root
        folder.mkdir(parents=True, exist_ok=True)
        version = tree_version(folder, lambda at: replace(settings, root=at, config_file=None))
    return replace(version, label=revision, shown=Path(subpath) if subpath else Path("."))


def saved_version(path: Path) -> Version:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PathError(f"{path}: not a manifest saved by `restate-lint manifest` ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("services"), list):
        raise PathError(f"{path}: not a manifest saved by `restate-lint manifest`")
    return Version(manifest, str(path))

