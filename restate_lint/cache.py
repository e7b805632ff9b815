"""The content cache: scans, summaries and diagnostics on disk, keyed by what they depend on.

Each entry is one pickle file named by the hash of its key (which starts with restate-lint's
version), written atomically. An entry that cannot be read, for whatever reason, is a miss and is
rebuilt: never a crash, and never an answer for other inputs, since every input is in the key.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any, Optional

from restate_lint import __version__

CACHE_DIR_NAME = ".restate-lint-cache"
ENV_VAR = "RESTATE_LINT_CACHE_DIR"

_MISS = object()


def digest(*parts: Any) -> str:
    """A stable hash of plain data (bytes, strings, numbers, tuples, frozen dataclasses)."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(part if isinstance(part, bytes) else pickle.dumps(part, protocol=4))
        h.update(b"\0")
    return h.hexdigest()


def cache_dir(root: Path, configured: Optional[Path] = None) -> Path:
    if configured is not None:
        return configured
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else root / CACHE_DIR_NAME


class Cache:
    """Entries on disk under `directory` (None: no disk), with an optional in-memory layer for a
    long-lived caller (the language server)."""

    MEMORY_ENTRIES = 8192  # the oldest entries go first: an editor session makes new ones at every edit

    def __init__(self, directory: Optional[Path] = None, memory: bool = False):
        self.directory = directory
        self.memory: Optional[OrderedDict] = OrderedDict() if memory else None
        self._ready = False

    def _path(self, kind: str, key: str) -> Path:
        assert self.directory is not None
        return self.directory / __version__ / kind / key[:2] / key

    def get(self, kind: str, key: str) -> Any:
        """The entry, or None when there is none (or it cannot be read)."""
        if self.memory is not None:
            found = self.memory.get((kind, key), _MISS)
            if found is not _MISS:
                self.memory.move_to_end((kind, key))
                return found
        if self.directory is None:
            return None
        try:
            with open(self._path(kind, key), "rb") as f:
                value = pickle.load(f)
        except Exception:  # missing, truncated, foreign or unreadable: rebuild it
            return None
        self.remember((kind, key), value)
        return value

    def remember(self, key: tuple, value: Any) -> None:
        if self.memory is not None:
            self.memory[key] = value
            self.memory.move_to_end(key)
            while len(self.memory) > self.MEMORY_ENTRIES:
                self.memory.popitem(last=False)

    def put(self, kind: str, key: str, value: Any, disk: bool = True) -> None:
        """Keep an entry; `disk=False` keeps it in memory only (an editor's unsaved text)."""
        self.remember((kind, key), value)
        if self.directory is None or not disk:
            return
        path = self._path(kind, key)
        try:
            self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temp, path)
            except BaseException:
                os.unlink(temp)
                raise
        except OSError:
            pass  # a read-only or full disk only costs the next run its speed

    def _prepare(self) -> None:
        """Mark the folder as a cache, as Ruff does: git and backup tools leave it alone."""
        if self._ready or self.directory is None:
            return
        self._ready = True
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in ((".gitignore", "# Created by restate-lint automatically.\n*\n"), ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n")):
            marker = self.directory / name
            if not marker.exists():
                marker.write_text(text)


def remove_caches(configured: Optional[Path], start: Path) -> list[Path]:
    """Remove the cache folder given, else every cache folder below `start`. Only folders that
    restate-lint marked as its cache are removed."""
    import shutil

    found = [configured] if configured is not None else [Path(folder) / CACHE_DIR_NAME for folder, dirs, _ in os.walk(start) if CACHE_DIR_NAME in dirs]
    removed = []
    for folder in found:
        if (folder / "CACHEDIR.TAG").is_file():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
