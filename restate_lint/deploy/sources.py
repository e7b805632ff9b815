"""Where the code of a version comes from: a folder of the working tree (or any folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from restate_lint.config import Settings
from restate_lint.deploy.load import load
from restate_lint.deploy.manifest import build_manifest
from restate_lint.discovery import check_path, discover


def tree_manifest(path: Path, settings_at: Callable[[Path], Settings]) -> dict:
    """The manifest of the code under `path`, imports resolved from it (as running the app from
    there would), with the settings of that folder."""
    check_path(path)
    root = (path if path.is_dir() else path.parent).resolve()
    settings = settings_at(root)
    return build_manifest(load(root, discover([path], settings), settings))
