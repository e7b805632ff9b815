"""A project's files and module names, and how its imports resolve.

Module names follow what Python would import: a dotted path from the project root (or `src/`).
An absolute import resolves as in Python 3: from a folder that can be on `sys.path`, nearest first.
The root is one; so is a script folder (a folder that is not a package, where `python app.py` puts
itself first). A package's own folder never is: `import restate` in `app/orders.py` next to an
`app/restate/` helpers package is the SDK, not the helpers. Nor is the SDK's name looked up in a
script folder: code that runs imports the real SDK there, whatever the folder holds.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable, Iterable, Optional


SDK_PACKAGE = "restate"


def is_under(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or below it (by name, as `folder in path.parents`, without
    building every parent)."""
    inside, top = str(path), str(folder)
    if top == ".":
        return not path.is_absolute()
    return inside == top or inside.startswith(top if top.endswith(os.sep) else top + os.sep)


class ModuleNames:
    """The module name of every file of one project, and import resolution between them."""

    def __init__(self, root: Path, files: Iterable[Path] = ()):
        self.root = root.resolve()
        src = self.root / "src"
        self.src_root = src if src.is_dir() and not (src / "__init__.py").exists() else None
        self.path_by_name: dict[str, Path] = {}
        self.name_by_path: dict[Path, str] = {}
        for path in files:
            self.add(path)

    def add(self, path: Path) -> str:
        """The module name of a (resolved) file, registering it."""
        if path in self.name_by_path:
            return self.name_by_path[path]
        base = self.src_root if self.src_root and is_under(path, self.src_root) else self.root
        parts = list(path.relative_to(base).with_suffix("").parts) if is_under(path, base) else [path.stem]
        if parts and parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        self.path_by_name.setdefault(name, path)
        self.name_by_path[path] = name
        return name

    def resolver(self, importer: Path) -> Callable[[str], str]:
        """How imports in `importer` resolve: the project module a dotted name means, from the
        nearest folder that can be on `sys.path` (see the module's docstring), or the name itself
        when it names none."""
        folder = importer.parent
        base = self.src_root if self.src_root and is_under(folder, self.src_root) else self.root
        prefixes: list[str] = []
        while is_under(folder, base):
            if folder == base:
                prefixes.append("")
                break
            if not self._is_package(folder):
                prefixes.append(".".join(folder.relative_to(base).parts))
            folder = folder.parent

        def resolve(dotted: str) -> str:
            sdk = dotted.partition(".")[0] == SDK_PACKAGE
            for prefix in prefixes:
                if prefix and sdk:
                    continue
                name = f"{prefix}.{dotted}" if prefix else dotted
                if name in self.path_by_name:
                    return name
            return dotted

        return resolve

    def _is_package(self, folder: Path) -> bool:
        init = folder / "__init__.py"
        return init in self.name_by_path or init.is_file()

    def module_of(self, dotted: str) -> Optional[str]:
        """The longest prefix of a qualified name that is a project module."""
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            name = ".".join(parts[:cut])
            if name in self.path_by_name:
                return name
        return None


def python_files_under(root: Path, excluded, folders: Optional[set] = None, recursive: bool = True) -> list[Path]:
    """Every .py file below `root` that `excluded(path, is_dir)` keeps; the folders walked go to
    `folders`. Links to folders are not followed (no loops); only regular files are kept: a FIFO
    would block the read forever, a link to /dev/zero would never end, a broken or looping link
    has nothing to read."""
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if folders is not None:
            folders.add(here)
        dirs[:] = sorted(d for d in dirs if recursive and not os.path.islink(here / d) and not excluded(here / d, True))
        found.extend(here / f for f in sorted(files) if f.endswith(".py") and is_regular_file(here / f) and not excluded(here / f, False))
    return found


def is_regular_file(path: Path) -> bool:
    """A regular file, or a link to one (never raises: a looping link is not one)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False
