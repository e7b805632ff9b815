"""Resolved paths for one walk or run, cheaply: `Path.resolve` checks every component of every
file (an lstat each); files of one folder share the folder's resolution, so a file costs one
lstat (is it a link?) and a join."""

from __future__ import annotations

import os
from pathlib import Path


class RealPaths:
    def __init__(self) -> None:
        self._folders: dict[Path, Path] = {}

    def __call__(self, path: Path) -> Path:
        """`path.resolve()`."""
        return path.resolve() if os.path.islink(path) else self.in_real_folder(path)

    def in_real_folder(self, path: Path) -> Path:
        """The path with its folder resolved and its last component as it is (a link stays one)."""
        if path.name in ("", ".", ".."):
            return path.resolve()
        parent = path.parent
        folder = self._folders.get(parent)
        if folder is None:
            folder = self._folders[parent] = parent.resolve()
        return path if folder == parent else folder / path.name
