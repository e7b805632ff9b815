"""Autofix: apply the fixes rules attach to diagnostics, re-lint, and repeat until nothing changes.

A round picks, per file, the fixes that do not touch each other (a fix's edits go in all
together or not at all) and do not delete a comment, splices them into the text and keeps the
result only if it still parses (and still compiles, when it did before) and still encodes in
the file's encoding; otherwise the offending fixes are dropped. Then the whole project is
linted again, because a fix can change what other rules (and other files) see. Files are
written only at the end, atomically, and only when their text changed (see `write`).
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import signal
import stat
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from restate_lint.config import Settings
from restate_lint.diagnostics import Diagnostic, Fix, Position, applies
from restate_lint.runner import Result, lint_paths
from restate_lint.source import SourceFile, UndecodableSource
from restate_lint.suppression import comments

MAX_ROUNDS = 10
# lines with their ends, broken where Python breaks them (str.splitlines also breaks at \f...)
_LINES = re.compile(r".*?(?:\r\n|\r|\n)|.+\Z", re.DOTALL)


@dataclass
class FixedFile:
    path: Path
    source: SourceFile  # as it was before any fix
    text: str  # the text with the fixes applied

    @property
    def data(self) -> bytes:
        return self.source.encode(self.text)

    def diff(self) -> str:
        """A unified diff from the original text to the fixed one."""
        lines = difflib.unified_diff(
            _LINES.findall(self.source.text),
            _LINES.findall(self.text),
            fromfile=self.source.path,
            tofile=self.source.path,
        )
        return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)


@dataclass
class Outcome:
    result: Result  # the lint of the fixed code: what remains
    files: dict[str, FixedFile] = field(default_factory=dict)  # by shown name; only changed files
    fixed: Counter = field(default_factory=Counter)  # code -> diagnostics whose fix was applied
    unsafe_fixed: Counter = field(default_factory=Counter)  # the unsafe part of `fixed`
    dropped: list[str] = field(default_factory=list)  # fixes left out, and why
    unsettled: list[str] = field(default_factory=list)  # files still changing after MAX_ROUNDS

    @property
    def total_fixed(self) -> int:
        return sum(self.fixed.values())


def fix_paths(
    paths: list[Path],
    settings: Settings,
    unsafe: bool,
    overrides: Optional[dict[Path, bytes]] = None,
    display: Optional[dict[Path, str]] = None,
    lint: Optional[Callable[[dict[Path, bytes]], Result]] = None,
) -> Outcome:
    """Lint and fix `paths` to a fixpoint, in memory: nothing is written (see `write`). `lint`
    replaces the one-project lint of `paths` (the command line lints each project on its own)."""
    lint = lint or (lambda current: lint_paths(paths, settings, current, display))
    current = dict(overrides or {})
    files: dict[str, FixedFile] = {}
    outcome = Outcome(Result())
    dropped: dict[tuple, str] = {}
    for round_no in range(MAX_ROUNDS + 1):
        result = lint(current)
        outcome.result = result
        updates = {}  # name -> (path, source, fixed text, diagnostics fixed)
        for name, diagnostics in _fixable(result.diagnostics, unsafe).items():
            path, data = result.sources[name]
            try:
                source = SourceFile(name, data)
            except UndecodableSource:
                continue
            text, applied, rejected = apply_fixes(source, diagnostics)
            for d, why in rejected:
                dropped.setdefault((name, d.code, d.start), f"{name}:{d.start.row}:{d.start.column}: {d.code}: fix not applied, {why}: {d.fix.message}")
            if text != source.text:
                updates[name] = (path, source, text, applied)
        if not updates:
            break
        if round_no == MAX_ROUNDS:
            outcome.unsettled = sorted(updates)
            break
        for name, (path, source, text, applied) in updates.items():
            current[path] = source.encode(text)
            files.setdefault(name, FixedFile(path, source, text)).text = text
            for d in applied:
                outcome.fixed[d.code] += 1
                if d.fix.applicability == "unsafe":
                    outcome.unsafe_fixed[d.code] += 1
    outcome.files = {name: f for name, f in files.items() if f.text != f.source.text}
    outcome.dropped = list(dropped.values())
    return outcome


def _fixable(diagnostics: list[Diagnostic], unsafe: bool) -> dict[str, list[Diagnostic]]:
    by_file: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        if applies(d.fix, unsafe) and d.fix.edits:
            by_file.setdefault(d.filename, []).append(d)
    return by_file


@dataclass(frozen=True)
class _Span:
    start: int  # character offsets into the text
    end: int
    content: str


def apply_fixes(source: SourceFile, diagnostics: list[Diagnostic]) -> tuple[str, list[Diagnostic], list[tuple[Diagnostic, str]]]:
    """One round on one file: (new text, diagnostics fixed, (diagnostic, why) for each fix left
    out for good). Fixes that overlap an earlier one wait for the next round."""
    rejected: list[tuple[Diagnostic, str]] = []
    candidates = []
    notes = _comment_spans(source)
    for d in diagnostics:
        spans = _spans(source, d.fix)
        if not spans:
            rejected.append((d, "its edits do not fit the file"))
        elif d.code != "RST900" and _deletes_comment(source.text, spans, notes):  # RST900's fix removes its own comment
            rejected.append((d, "it would delete a comment"))
        else:
            candidates.append((d, spans))
    chosen: list[tuple[Diagnostic, tuple[_Span, ...]]] = []
    taken: list[_Span] = []
    duplicates: dict[tuple[_Span, ...], list[Diagnostic]] = {}
    for d, spans in sorted(candidates, key=lambda c: (c[1][0].start, c[0].code)):
        if spans in duplicates:  # two diagnostics, one fix
            duplicates[spans].append(d)
            continue
        if any(s.start <= t.end and t.start <= s.end for s in spans for t in taken):
            continue
        chosen.append((d, spans))
        duplicates[spans] = [d]
        taken.extend(spans)
    baseline = _soundness(source.text)
    text = _splice(source.text, [s for _, spans in chosen for s in spans])
    if _acceptable(source, text, baseline):
        return text, [d for _, spans in chosen for d in duplicates[spans]], rejected
    # Something broke: keep the fixes one at a time, each only if the text stays sound.
    kept: list[_Span] = []
    applied = []
    text = source.text
    for d, spans in chosen:
        trial = _splice(source.text, [*kept, *spans])
        if _acceptable(source, trial, baseline):
            kept.extend(spans)
            text = trial
            applied.extend(duplicates[spans])
        else:
            rejected.append((d, "the fixed code would not parse"))
    return text, applied, rejected


def _spans(source: SourceFile, fix: Fix) -> tuple[_Span, ...]:
    """The fix's edits as sorted character spans; empty if an edit is outside the text or two overlap."""
    spans = []
    for edit in fix.edits:
        start, end = _offset(source, edit.start), _offset(source, edit.end)
        if start is None or end is None or end < start:
            return ()
        spans.append(_Span(start, end, source.with_newlines(edit.content)))
    spans.sort(key=lambda s: s.start)  # stable: insertions at one point keep the fix's order
    if any(a.end > b.start for a, b in zip(spans, spans[1:])):
        return ()
    return tuple(spans)


def _comment_spans(source: SourceFile) -> list[tuple[int, int]]:
    return [(start := source.offset(row, column), start + len(text)) for row, column, text in comments(source)]


def _deletes_comment(text: str, spans: tuple[_Span, ...], notes: list[tuple[int, int]]) -> bool:
    """Whether an edit replaces text holding a comment that its new content does not keep:
    a fix must not lose what the user wrote."""
    return any(s.start < end and start < s.end and text[start:end] not in s.content for s in spans for start, end in notes)


def _offset(source: SourceFile, at: Position) -> Optional[int]:
    if not 1 <= at.row <= len(source.lines) or not 1 <= at.column <= len(source.line(at.row)) + 1:
        return None
    return source.offset(at.row, at.column - 1)


def _splice(text: str, spans: list[_Span]) -> str:
    pieces, last = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        pieces += [text[last : span.start], span.content]
        last = span.end
    pieces.append(text[last:])
    return "".join(pieces)


def _soundness(text: str) -> int:
    """2: compiles with the running Python, 1: only parses, 0: does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 0
    try:
        compile(tree, "<fixed>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 1
    return 2


def _acceptable(source: SourceFile, text: str, baseline: int) -> bool:
    """The fixed text parses, is no less sound than the original, and encodes like the file."""
    try:
        source.encode(text)
    except UnicodeEncodeError:
        return False
    level = _soundness(text)
    return level >= 1 and level >= baseline


def write(files: list[FixedFile], trees: Optional[list[Path]] = None, follow_links: bool = False) -> list[str]:
    """Write fixed files in place; return an error line for each file that could not be written.
    A link to a file outside `trees` (the folders linted) is written through only with
    `follow_links`: a linted repository must not make the fixer write elsewhere."""
    errors = []
    inside = [Path(os.path.realpath(t)) for t in trees or ()]
    for f in files:
        target = Path(os.path.realpath(f.path))
        if not follow_links and trees is not None and os.path.islink(f.path) and not any(t == target or t in target.parents for t in inside):
            errors.append(f"{f.source.path}: not fixed, it is a link to {target}, outside the folders linted (--fix-symlinks writes through it)")
            continue
        try:
            _write_file(target, f.source.data, f.data)
        except OSError as exc:
            errors.append(f"{f.source.path}: not fixed, cannot write it: {exc.strerror or exc}")
        except _ChangedOnDisk:
            errors.append(f"{f.source.path}: not fixed, the file changed on disk while it was being linted")
    return errors


class _ChangedOnDisk(Exception):
    pass


# deferred while a file is written: a kill then comes after it, never between its halves
_DEFERRED = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, name)}
TEMP_SUFFIX = ".restate-lint-tmp"


def _write_file(target: Path, before: bytes, after: bytes) -> None:
    """Replace the file's content, keeping its mode, owner and links. By way of a temporary file
    in the same folder (`.NAME.XXXX.restate-lint-tmp`) renamed over it, so that a crash leaves
    the old file or the new one; in place instead when the file has other hard links (a rename
    would break them) or an owner this process cannot give the temporary file."""
    if target.read_bytes() != before:
        raise _ChangedOnDisk()
    info = target.stat()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED) if hasattr(signal, "pthread_sigmask") else None
    try:
        if info.st_nlink > 1 or not _replace(target, info, after):
            with open(target, "r+b") as out:
                out.write(after)
                out.truncate()
                out.flush()
                os.fsync(out.fileno())
    finally:
        if blocked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _replace(target: Path, info: os.stat_result, after: bytes) -> bool:
    """Write `after` to a temporary file and rename it over `target`; False (and no temporary
    file) when it cannot have the target's owner."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    try:
        try:
            os.fchown(fd, info.st_uid, info.st_gid)
        except PermissionError:
            os.close(fd)
            Path(temp).unlink()
            return False
        with os.fdopen(fd, "wb") as out:
            out.write(after)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, stat.S_IMODE(info.st_mode))
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True
