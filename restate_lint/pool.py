"""The per-file stages that parse (summarise, check, the syntax check of plain files), run in
this process or spread over worker processes.

Imported only when something is not in the cache: it is what imports libcst.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import time
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Optional, Union

from restate_lint.analysis.summarise import summarise
from restate_lint.check import lint_model
from restate_lint.config import Settings
from restate_lint.diagnostics import Diagnostic
from restate_lint.model.facts import ModuleFacts
from restate_lint.model.module import ModuleModel
from restate_lint.parse import parse, syntax_failure as text_syntax_failure
from restate_lint.project.files import ModuleNames
from restate_lint.project.summary import ModuleSummary
from restate_lint.scan import ScannedFile
from restate_lint.source import ParseFailure, SourceFile, UndecodableSource

# libcst's visitors recurse per tree level; CPython-valid nesting can exceed the default limit
sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))


def build_model(file: ScannedFile, names: ModuleNames) -> Union[ModuleModel, ParseFailure]:
    try:
        source = SourceFile(str(file.path), file.data)
        tree = parse(source.text)
        return ModuleModel(file.name, source, tree, names.resolver(file.path), is_package=file.is_package)
    except UndecodableSource as exc:
        return ParseFailure(f"cannot decode file: {exc}")
    except ParseFailure as exc:
        return exc
    except RecursionError:
        return ParseFailure("file is nested too deeply to analyse")


class Worker:
    """The per-file stages with the models built so far: the model built to summarise a file is
    kept for its check (the same process is asked to check it)."""

    def __init__(self, settings: Settings, names: ModuleNames):
        self.settings = settings
        self.names = names
        self.models: dict[Path, ModuleModel] = {}

    def handle(self, task: tuple) -> tuple:
        kind, file = task[0], task[1]
        if kind == "summary":
            return kind, file.path, self.summarise(file, keep=task[2])
        if kind == "check":
            return kind, file.path, self.check(file, task[2], task[3])
        return kind, file.path, syntax_failure(file)

    def summarise(self, file: ScannedFile, keep: bool) -> Union[ModuleSummary, ParseFailure]:
        model = build_model(file, self.names)
        if isinstance(model, ParseFailure):
            return model
        try:
            summary = summarise(model, self.settings)
        except RecursionError:
            return ParseFailure("file is nested too deeply to analyse")
        if keep:
            self.models[file.path] = model
        return summary

    def check(self, file: ScannedFile, facts: ModuleFacts, shown: str) -> tuple[list[Diagnostic], list[str]]:
        model = self.models.pop(file.path, None) or build_model(file, self.names)
        if isinstance(model, ParseFailure):
            return [], []  # its summary said so already
        errors: list[str] = []
        model.source.path = shown
        try:
            model.bind(facts)
            diagnostics = lint_model(model, self.settings, file.path, errors)
        except RecursionError:
            return [], [f"{shown}: nested too deeply to check"]
        return diagnostics, errors


def _serve(conn: Connection, settings: Settings, names: ModuleNames, memory_mb: int) -> None:
    try:  # a file that would take all the machine's memory fails this worker alone
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (ValueError, OSError):
        pass  # a lower hard limit than ours is already a bound
    worker = Worker(settings, names)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        if task[0] == "bind":  # a long-lived pool's next run: its settings, names, no models yet
            worker = Worker(task[1], task[2])
            continue
        try:
            answer = worker.handle(task)
        except MemoryError:
            worker.models.clear()
            answer = _failed(task, f"it needs more memory than a worker may use ({memory_mb} MiB, {Processes.MEMORY_ENV})")
        conn.send(answer)


class Processes:
    """Worker processes, each with one pipe. Tasks pinned to a worker (the check of a file it
    modelled) go to that worker; the others to whichever is free, so the load evens out.

    A worker is where a file may take a process down (a native crash in the parser, its memory
    bound, its time bound): then the files it was working on get one failure each, the worker is
    replaced, and every other file is still linted.

    A long-lived caller (the language server) keeps one pool across runs, `bind`ing it to each
    run's settings and names, and starts its workers with `spawn`: forking a process that runs
    threads is not safe."""

    IN_FLIGHT = 2  # tasks queued per worker: one running, one ready
    TASK_SECONDS = 120.0  # longer than any real file takes: the worker is stopped
    MEMORY_ENV = "RESTATE_LINT_WORKER_MEMORY_MB"
    MEMORY_MB = 4096  # address space a worker may use

    def __init__(self, count: int, settings: Settings, names: ModuleNames, start_method: Optional[str] = None):
        self.context = multiprocessing.get_context(start_method or ("fork" if sys.platform.startswith("linux") else "spawn"))
        self.settings, self.names = settings, names
        self.memory = int(os.environ.get(self.MEMORY_ENV) or self.MEMORY_MB)
        self.conns: list[Connection] = []
        self.procs: list = []
        for _ in range(count):
            self.conns.append(None)
            self.procs.append(None)
            self._start(len(self.conns) - 1)
        self.owner: dict[Path, int] = {}

    def _start(self, i: int) -> None:
        parent, child = self.context.Pipe()
        proc = self.context.Process(target=_serve, args=(child, self.settings, self.names, self.memory), daemon=True)
        proc.start()
        child.close()
        self.conns[i], self.procs[i] = parent, proc

    def bind(self, settings: Settings, names: ModuleNames) -> None:
        """The next run's settings and module names; what the workers kept is forgotten."""
        self.settings, self.names, self.owner = settings, names, {}
        for i, conn in enumerate(self.conns):
            try:
                conn.send(("bind", settings, names))
            except OSError:  # it died between runs
                self.procs[i].kill()
                self.procs[i].join()
                self._start(i)

    def run(self, tasks: list[tuple]) -> list[tuple]:
        pinned: list[list[tuple]] = [[] for _ in self.conns]
        free: list[tuple] = []
        for task in tasks:
            owner = self.owner.get(task[1].path) if task[0] == "check" else None
            (pinned[owner] if owner is not None else free).append(task)
        free.reverse()
        flight: list[list[tuple]] = [[] for _ in self.conns]  # sent, not answered, oldest first
        started = [0.0] * len(self.conns)  # when the oldest task in flight started
        results = []

        def feed(i: int) -> None:
            while len(flight[i]) < self.IN_FLIGHT and (pinned[i] or free):
                task = pinned[i].pop() if pinned[i] else free.pop()
                if task[0] == "summary" and task[2]:
                    self.owner[task[1].path] = i
                if not flight[i]:
                    started[i] = time.monotonic()
                self.conns[i].send(task)
                flight[i].append(task)

        def lost(i: int, why: str) -> None:
            """The worker died on its oldest task (it runs them in order); the others go again."""
            results.append(_failed(flight[i][0], why))
            free.extend(flight[i][1:])
            flight[i].clear()
            self.owner = {path: owner for path, owner in self.owner.items() if owner != i}
            self.procs[i].kill()
            self.procs[i].join()
            self._start(i)

        for i in range(len(self.conns)):
            feed(i)
        while any(flight):
            busy = [i for i in range(len(self.conns)) if flight[i]]
            deadline = min(started[i] for i in busy) + self.TASK_SECONDS
            ready = wait([self.conns[i] for i in busy], timeout=max(0.0, deadline - time.monotonic()))
            for i in busy:
                if self.conns[i] in ready:
                    try:
                        results.append(self.conns[i].recv())
                    except (EOFError, OSError):
                        lost(i, f"the parser crashed on it, or ran out of the {self.memory} MiB a worker may use ({self.MEMORY_ENV})")
                    else:
                        flight[i].pop(0)
                        started[i] = time.monotonic()
                elif time.monotonic() - started[i] >= self.TASK_SECONDS:
                    lost(i, f"it took longer than {self.TASK_SECONDS:.0f} s")
                feed(i)
        return results

    def close(self) -> None:
        for conn in self.conns:
            try:
                conn.send(None)
                conn.close()
            except OSError:
                pass
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()


def _failed(task: tuple, why: str) -> tuple:
    """The answer for a task that took its worker down or hit a bound."""
    kind, file = task[0], task[1]
    if kind == "check":
        return kind, file.path, ([], [f"{task[3]}: not checked: {why}"])
    return kind, file.path, ParseFailure(f"not analysed: {why}")


class InProcess:
    def __init__(self, settings: Settings, names: ModuleNames):
        self.worker = Worker(settings, names)

    def run(self, tasks: list[tuple]) -> list[tuple]:
        return [self.worker.handle(task) for task in tasks]

    def close(self) -> None:
        pass


def syntax_failure(file: ScannedFile) -> Optional[ParseFailure]:
    try:
        return text_syntax_failure(SourceFile("", file.data).text)
    except UndecodableSource as exc:
        return ParseFailure(f"cannot decode file: {exc}")
