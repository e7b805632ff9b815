"""The content cache: scans, summaries and diagnostics on disk, keyed by what they depend on.

Each entry is one pickle file named by the hash of its key (which starts with restate-lint's
version), written atomically. An entry that cannot be read, for whatever reason, is a miss and is
rebuilt: never a crash, and never an answer for other inputs, since every input is in the key.

The cache lives in the linted tree by default, and a repository can ship one: loading a pickle
it wrote would run its code. So every entry is signed (HMAC-SHA256) with a secret of this user's
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
_SIGNATURE = 32  # bytes of HMAC-SHA256 before each entry's pickle
_MAX_ENTRY = 64 << 20


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

    WRITERS = 4
    MEMORY_ENTRIES = 8192  # the oldest entries go first: an editor session makes new ones at every edit

    def __init__(self, directory: Optional[Path] = None, memory: bool = False):
        self.directory = directory
        self.memory: Optional[OrderedDict] = OrderedDict() if memory else None
        self._ready = False
        self._writers = None  # threads writing entries, while there are some to write
        self.stats: Counter = Counter()  # (kind, "hit" | "miss") -> count, for --verbose

    def _path(self, kind: str, key: str) -> Path:
        assert self.directory is not None
        return self.directory / build() / kind / key[:2] / key

    def get(self, kind: str, key: str) -> Any:
        """The entry, or None when there is none (or it cannot be read)."""
        found = self._get(kind, key)
        self.stats[kind, "miss" if found is None else "hit"] += 1
        return found

    def has(self, kind: str, key: str) -> bool:
        """Whether there is an entry (which may still turn out unreadable), without reading it."""
        if self.memory is not None and (kind, key) in self.memory:
            return True
        return self.directory is not None and os.path.isfile(self._path(kind, key))

    def _get(self, kind: str, key: str) -> Any:
        if self.memory is not None:
            found = self.memory.get((kind, key), _MISS)
            if found is not _MISS:
                self.memory.move_to_end((kind, key))
                return found
        if self.directory is None:
            return None
        try:
            data = _read_regular(self._path(kind, key))
            signature, payload = data[:_SIGNATURE], data[_SIGNATURE:]
            if not hmac.compare_digest(signature, _sign(kind, key, payload)):
                return None  # not written by this user's restate-lint: never unpickled
            value = pickle.loads(payload)
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
        """Keep an entry; `disk=False` keeps it in memory only (an editor's unsaved text). Files
        are written by threads (creating one costs about a millisecond on some file systems,
        mostly waiting): `flush` waits for them."""
        self.remember((kind, key), value)
        if self.directory is None or not disk:
            return
        try:
            self._prepare()
        except OSError:
            return  # a read-only or full disk only costs the next run its speed
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        if self._writers is None:
            self._writers = _Writers(self.WRITERS, self._write)
        self._writers.queue.put((self._path(kind, key), _sign(kind, key, payload) + payload))

    def flush(self) -> None:
        """Wait until every entry put is on disk (before the process forks, or ends)."""
        if self._writers is not None:
            self._writers.close()
            self._writers = None

    def _write(self, path: Path, data: bytes) -> None:
        try:
            if any(os.path.islink(folder) for folder in (self.directory, *path.parents[: len(path.parts) - len(self.directory.parts) - 1])):
                return  # a link planted in the cache folder: do not write where it points
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
            pass  # a read-only or full disk only costs the next run its speed

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


class _Writers:
    """Threads that `write(path, data)` what is queued until `close` (concurrent.futures would do,
    but importing it, and logging with it, costs more than a run that writes two entries)."""

    def __init__(self, count: int, write) -> None:
        import queue  # noqa: PLC0415 - only a run that writes needs them
        import threading  # noqa: PLC0415

        self.queue = queue.SimpleQueue()
        self.threads = [threading.Thread(target=self._run, args=(write,), name="restate-lint-cache", daemon=True) for _ in range(count)]
        for thread in self.threads:
            thread.start()

    def _run(self, write) -> None:
        while (job := self.queue.get()) is not None:
            write(*job)

    def close(self) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file (not a FIFO, which would block, nor a device), not too large."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_ENTRY:
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
