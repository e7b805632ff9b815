"""The content cache: summaries, diagnostics and whole runs on disk, keyed by what they depend on.

An entry is a pickle keyed by the hash of what it depends on, under a folder named by
restate-lint's build. The per-file entries (summaries, checks, syntax checks) a process makes are
written together, as one pack file when it is done: creating a file costs about a millisecond on
some file systems, more than computing many entries. A run's whole result and its link are one
file each. Every file is written atomically. An entry that cannot be read, for whatever reason, is
a miss and is rebuilt: never a crash, and never an answer for other inputs, since every input is
in the key.

The cache lives in the linted tree by default, and a repository can ship one: loading a pickle
it wrote would run its code. So every file is signed (HMAC-SHA256) with a secret of this user's
kept outside any tree (`$XDG_CACHE_HOME/restate-lint/secret`), and an entry whose signature does
not verify is never unpickled. Only regular files are read, and nothing is written through a
link inside the cache folder.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import stat
import tempfile
from collections import Counter, OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from restate_lint import __version__
from restate_lint.diagnostics import with_filename

CACHE_DIR_NAME = ".restate-lint-cache"
ENV_VAR = "RESTATE_LINT_CACHE_DIR"

_MISS = object()
_SIGNATURE = 32  # bytes of HMAC-SHA256 before each file's pickle
_MAX_ENTRY = 64 << 20
_MAX_PACK = 1 << 30
PACKED = frozenset({"summary", "check", "syntax"})  # the kinds kept in packs: one per file linted


def _secret_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "restate-lint" / "secret"


def _load_secret() -> bytes:
    """This user's signing secret, made on first use; where it cannot be kept, one for this
    process only (the disk cache then only serves this run)."""
    path = _secret_path()
    found = _read_secret(path)
    if found is not None:
        return found
    fresh = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(fresh)
    except FileExistsError:  # another process (a worker) made it first: share its secret
        return _read_secret(path) or fresh
    except OSError:
        pass
    return fresh


def _read_secret(path: Path) -> Optional[bytes]:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            found = f.read(64)
    except OSError:
        return None
    return found if len(found) == 32 else None


@lru_cache(maxsize=1)
def build() -> str:
    """This build of restate-lint: entries written by another build of the same version (a
    changed rule, summary or catalogue) are never read."""
    return build_of(Path(__file__).parent)


def build_of(package: Path) -> str:
    """The version and a digest of the package's own code and data (about 10 ms)."""
    h = hashlib.blake2b(digest_size=8)
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{__version__}-{h.hexdigest()}"


_secret: Optional[bytes] = None


def _sign(kind: str, key: str, payload: bytes) -> bytes:
    global _secret
    if _secret is None:
        _secret = _load_secret()
    return hmac.new(_secret, f"{build()}/{kind}/{key}".encode() + b"\0" + payload, hashlib.sha256).digest()


def digest(*parts: Any) -> str:
    """A stable hash of plain data (bytes, strings, numbers, tuples, frozen dataclasses)."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(part if isinstance(part, bytes) else pickle.dumps(part, protocol=4))
        h.update(b"\0")
    return h.hexdigest()


def kept(kind: str, result) -> Optional[object]:
    """What the cache keeps of a stage's result (None: nothing, a check that went wrong)."""
    if kind == "summary":
        return result
    if kind == "check":
        diagnostics, errors = result
        return None if errors else with_filename(diagnostics, "")
    return (result,)


def cache_dir(root: Path, configured: Optional[Path] = None) -> Path:
    if configured is not None:
        return configured
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else root / CACHE_DIR_NAME


class Cache:
    """Entries on disk under `directory` (None: no disk), with an optional in-memory layer for a
    long-lived caller (the language server)."""

    MEMORY_ENTRIES = 8192  # the oldest entries go first: an editor session makes new ones at every edit
    MAX_PACKS = 16  # more than this many are merged into one by the next process that reads them
    MERGED_BYTES = 64 << 20  # a merge larger than this keeps only the entries its run used

    def __init__(self, directory: Optional[Path] = None, memory: bool = False):
        self.directory = directory
        self.memory: Optional[OrderedDict] = OrderedDict() if memory else None
        self._ready = False
        self._packed: dict[str, dict[tuple[str, str], bytes]] = {}  # kind -> its packs' entries, once read
        self._packs: dict[str, list[Path]] = {}  # kind -> the pack files read
        self._pending: dict[tuple[str, str], bytes] = {}  # entries for this process's pack
        self._used: set[tuple[str, str]] = set()  # packed entries read or put: what a merge must keep
        self.stats: Counter = Counter()  # (kind, "hit" | "miss") -> count, for --verbose

    def _path(self, kind: str, key: str) -> Path:
        assert self.directory is not None
        return self.directory / build() / kind / key

    def get(self, kind: str, key: str) -> Any:
        """The entry, or None when there is none (or it cannot be read)."""
        found = self._get(kind, key)
        self.stats[kind, "miss" if found is None else "hit"] += 1
        return found

    def has(self, kind: str, key: str) -> bool:
        """Whether there is an entry (which may still turn out unreadable), without reading it."""
        if self.memory is not None and (kind, key) in self.memory:
            return True
        if self.directory is None:
            return False
        return (kind, key) in self._read_packs(kind) if kind in PACKED else os.path.isfile(self._path(kind, key))

    def _get(self, kind: str, key: str) -> Any:
        if self.memory is not None:
            found = self.memory.get((kind, key), _MISS)
            if found is not _MISS:
                self.memory.move_to_end((kind, key))
                return found
        if self.directory is None:
            return None
        try:
            if kind in PACKED:
                payload = self._read_packs(kind).get((kind, key))
                if payload is None:
                    return None
                self._used.add((kind, key))
            else:
                payload = _verified(_read_regular(self._path(kind, key), _MAX_ENTRY), kind, key)
                if payload is None:
                    return None  # not written by this user's restate-lint: never unpickled
            value = pickle.loads(payload)
        except Exception:  # missing, truncated, foreign or unreadable: rebuild it
            return None
        self.remember((kind, key), value)
        return value

    def _read_packs(self, kind: str) -> dict[tuple[str, str], bytes]:
        """The entries of every pack of `kind` (read once: a long-lived caller keeps what it
        computes in memory). A kind's packs apart: a run that needs one check reads no summary."""
        found = self._packed.get(kind)
        if found is None:
            found = self._packed[kind] = {}
            self._packs[kind] = []
            folder = self.directory / build() / kind
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                names = []
            for name in names:
                try:
                    payload = _verified(_read_regular(folder / name, _MAX_PACK), kind, "pack")
                    entries = pickle.loads(payload) if payload is not None else None
                except Exception:
                    continue
                if isinstance(entries, dict):
                    found.update(entries)
                    self._packs[kind].append(folder / name)
        return found

    def remember(self, key: tuple, value: Any) -> None:
        if self.memory is not None:
            self.memory[key] = value
            self.memory.move_to_end(key)
            while len(self.memory) > self.MEMORY_ENTRIES:
                self.memory.popitem(last=False)

    def put(self, kind: str, key: str, value: Any, disk: bool = True) -> None:
        """Keep an entry; `disk=False` keeps it in memory only (an editor's unsaved text). An
        entry of a packed kind is written with the others at `flush`."""
        self.remember((kind, key), value)
        if self.directory is None or not disk:
            return
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        if kind in PACKED:
            self._pending[kind, key] = payload
            self._used.add((kind, key))
        else:
            self._write(self._path(kind, key), _sign(kind, key, payload) + payload)

    def flush(self) -> None:
        """Write the entries put since the last flush, one pack per kind; where too many packs
        of a kind were read, write every entry read with them and remove the packs it replaces."""
        if self.directory is None:
            return
        for kind in sorted(PACKED):
            entries = {k: v for k, v in self._pending.items() if k[0] == kind}
            merged = len(self._packs.get(kind, ())) > self.MAX_PACKS
            if merged:
                entries = {**self._packed[kind], **entries}
                if sum(map(len, entries.values())) > self.MERGED_BYTES:
                    entries = {k: v for k, v in entries.items() if k in self._used}
            if not entries and not merged:
                continue
            payload = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
            if self._write(self.directory / build() / kind / f"pack-{secrets.token_hex(16)}", _sign(kind, "pack", payload) + payload) and merged:
                for path in self._packs[kind]:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass  # another process merged it first
                self._packs[kind] = []
        self._pending = {}

    def _write(self, path: Path, data: bytes) -> bool:
        try:
            self._prepare()
            if any(os.path.islink(folder) for folder in (self.directory, *path.parents[: len(path.parts) - len(self.directory.parts) - 1])):
                return False  # a link planted in the cache folder: do not write where it points
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(temp, path)
            except BaseException:
                os.unlink(temp)
                raise
        except OSError:
            return False  # a read-only or full disk only costs the next run its speed
        return True

    def _prepare(self) -> None:
        """Mark the folder as a cache, as Ruff does: git and backup tools leave it alone."""
        if self._ready or self.directory is None:
            return
        self._ready = True
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in ((".gitignore", "# Created by restate-lint automatically.\n*\n"), ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n")):
            try:  # never through a link: a planted one could point anywhere
                fd = os.open(self.directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            except FileExistsError:
                continue
            with os.fdopen(fd, "w") as f:
                f.write(text)


def _verified(data: bytes, kind: str, key: str) -> Optional[bytes]:
    """The pickle of a file written by this user's restate-lint, else None (never unpickled)."""
    signature, payload = data[:_SIGNATURE], data[_SIGNATURE:]
    return payload if hmac.compare_digest(signature, _sign(kind, key, payload)) else None


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file (not a FIFO, which would block, nor a device), not too large."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise OSError("not a cache entry")
        return f.read()


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
