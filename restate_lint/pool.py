"""Worker processes for the per-file stages (worker.py), each with one pipe.

Imports nothing that parses: a worker imports libcst itself once it has started, so the process
that hands it files can read the cache meanwhile.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import sys
import time
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Optional

from restate_lint.cache import Cache
from restate_lint.collector import fewer_collections
from restate_lint.config import Settings
from restate_lint.project.files import ModuleNames
from restate_lint.source import ParseFailure


def _serve(conn: Connection, inherited: list[int], settings: Settings, names: ModuleNames, memory_mb: int, store: Optional[Path]) -> None:
    for fd in inherited:  # the pool's ends of the pipes, this worker's own among them: a copy kept
        try:  # open here would keep the pipe open after the pool's process is gone, and this
            os.close(fd)  # worker waiting for a task for ever
        except OSError:
            pass
    try:  # a file that would take all the machine's memory fails this worker alone
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (ValueError, OSError):
        pass  # a lower hard limit than ours is already a bound
    from restate_lint.worker import Worker  # noqa: PLC0415 - here, in the worker (see the module's docstring)

    gc.freeze()  # what the worker imported and inherited lives as long as it: never collected
    with fewer_collections():
        worker = None
        task: Optional[tuple] = ("bind", settings, names, store)  # the first run's, as a long-lived pool's next
        while True:
            if task is None or task[0] == "bind":
                if worker is not None and worker.store is not None:
                    worker.store.flush()
                if task is None:
                    return
                # a run's settings, names and cache, no models yet
                worker = Worker(task[1], task[2], Cache(task[3]) if task[3] is not None else None)
            else:
                try:
                    answer = worker.handle(task)
                except MemoryError:
                    worker.models.clear()
                    answer = _failed(task, f"it needs more memory than a worker may use ({memory_mb} MiB, {Processes.MEMORY_ENV})")
                try:
                    conn.send(answer)
                except OSError:  # the pool's process is gone
                    task = None
                    continue
            try:
                task = conn.recv()
            except (EOFError, OSError):
                task = None


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

    def __init__(self, count: int, settings: Settings, names: ModuleNames, store: Optional[Path] = None, start_method: Optional[str] = None):
        """`store`: the cache folder the workers write results to (None: none)."""
        self.context = multiprocessing.get_context(start_method or ("fork" if sys.platform.startswith("linux") else "spawn"))
        self.settings, self.names, self.store = settings, names, store
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
        forked = self.context.get_start_method() == "fork"  # a spawned worker inherits no pipe but its own
        inherited = [c.fileno() for c in (*self.conns, parent) if c is not None and not c.closed] if forked else []
        proc = self.context.Process(target=_serve, args=(child, inherited, self.settings, self.names, self.memory, self.store), daemon=True)
        proc.start()
        child.close()
        self.conns[i], self.procs[i] = parent, proc

    def bind(self, settings: Settings, names: ModuleNames, store: Optional[Path]) -> None:
        """The next run's settings, module names and cache folder; what the workers kept is forgotten."""
        self.settings, self.names, self.store, self.owner = settings, names, store, {}
        for i, conn in enumerate(self.conns):
            try:
                conn.send(("bind", settings, names, store))
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
        for queue in (free, *pinned):  # the largest first (popped from the end): none is left to run alone at the end
            queue.sort(key=lambda task: len(task[1].data))
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
