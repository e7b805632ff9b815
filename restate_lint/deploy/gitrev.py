"""The Python files of a git revision, read with git's plumbing (`rev-parse`, `ls-tree`,
`cat-file`) into a folder of our own: nothing is checked out, the work tree and the index are
never touched.

git runs the way nothing the linted repository configures can make it run anything: a clean
environment (no global or system config, no pager, no prompts, no lazy fetches of a partial
clone, literal pathspecs), the repository's settings that name programs overridden on the
command line, and only plumbing commands, which run no hooks, filters or text conversions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path, PurePosixPath

from restate_lint.runner import MAX_SOURCE_BYTES

MAX_FILES = 50_000  # Python files read from one revision
_OVERRIDES = (
    "core.fsmonitor=false", "core.hooksPath=/dev/null", "core.pager=cat", "core.sshCommand=false",
    "core.gitProxy=", "core.askPass=", "credential.helper=", "protocol.allow=never", "core.alternateRefsCommand=",
    "uploadpack.packObjectsHook=", "diff.external=",
)  # fmt: skip


class GitError(Exception):
    pass


def git_dir(path: Path) -> tuple[Path, str]:
    """The git directory of the repository holding `path`, and `path` relative to its top."""
    folder = path.resolve()
    for top in (folder, *folder.parents):
        if (top / ".git").exists():
            return top / ".git", folder.relative_to(top).as_posix() if folder != top else ""
    raise GitError(f"{path}: not inside a git repository (give --git-dir)")


def _environment() -> dict[str, str]:
    env = {name: os.environ[name] for name in ("PATH", "SYSTEMROOT", "TMPDIR") if name in os.environ}
    env.update(
        LC_ALL="C", HOME=os.devnull, XDG_CONFIG_HOME=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_SYSTEM=os.devnull, GIT_TERMINAL_PROMPT="0", GIT_NO_LAZY_FETCH="1", GIT_LITERAL_PATHSPECS="1",
        GIT_NO_REPLACE_OBJECTS="1", GIT_PAGER="cat", GIT_OPTIONAL_LOCKS="0", GIT_ASKPASS="", SSH_ASKPASS="",
    )  # fmt: skip
    return env


def _git(directory: Path, *args: str, stdin: bytes = b"") -> bytes:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed")
    command = [git, f"--git-dir={directory}", "--no-pager", *(a for o in _OVERRIDES for a in ("-c", o)), *args]
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, env=_environment(), cwd="/", timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {args[0]}: {exc}") from None
    if done.returncode != 0:
        raise GitError(f"git {args[0]}: {done.stderr.decode(errors='replace').strip() or f'exit code {done.returncode}'}")
    return done.stdout


def commit_of(directory: Path, revision: str) -> str:
    if not revision or revision.startswith("-") or any(c in revision for c in "\0\n\r"):
        raise GitError(f"not a revision: {revision!r}")
    try:
        return _git(directory, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(f"unknown revision {revision!r} in {directory}") from None


def export(directory: Path, revision: str, subpath: str, dest: Path) -> str:
    """Write the `.py` files under `subpath` at `revision` below `dest` (same relative paths);
    return the commit. Links, submodules, files over the size bound and unsafe names are left out."""
    commit = commit_of(directory, revision)
    listing = _git(directory, "ls-tree", "-r", "-z", "-l", "--full-tree", commit, *([f"{subpath}/"] if subpath else []))
    wanted: list[tuple[str, PurePosixPath]] = []
    for entry in listing.split(b"\0"):
        meta, _, name = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) != 4 or parts[0] not in (b"100644", b"100755") or not name.endswith(b".py"):
            continue
        path = _safe(name)
        if path is not None and parts[3].isdigit() and int(parts[3]) <= MAX_SOURCE_BYTES:
            wanted.append((parts[2].decode(), path))
    if len(wanted) > MAX_FILES:
        raise GitError(f"{revision}: more than {MAX_FILES} Python files")
    if wanted:
        _write_blobs(directory, wanted, dest)
    return commit


def _write_blobs(directory: Path, wanted: list[tuple[str, PurePosixPath]], dest: Path) -> None:
    out = _git(directory, "cat-file", "--batch", stdin="".join(f"{sha}\n" for sha, _ in wanted).encode())
    at = 0
    for sha, path in wanted:
        header_end = out.index(b"\n", at)
        header = out[at:header_end].split()
        if len(header) != 3 or header[1] != b"blob":
            raise GitError(f"git cat-file: unexpected answer for {sha}")
        size = int(header[2])
        data = out[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1
        target = dest.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)


def _safe(name: bytes) -> "PurePosixPath | None":
    """A tree path we can write under our folder: decodable, relative, no `.`/`..`/`.git` parts."""
    try:
        text = name.decode("utf-8")
    except UnicodeDecodeError:
        return None
    parts = text.split("/")
    if any(p in ("", ".", "..") or p.lower() == ".git" or "\\" in p for p in parts):
        return None
    return PurePosixPath(*parts)
