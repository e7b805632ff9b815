"""Deployments for the oracle: fixture files served by child processes, registered with the server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

from tests.oracle.server import ROOT, RestateServer, free_port, wait_until


class _Child:
    """A child process listening on a free 127.0.0.1 port, its output kept in a file."""

    def __init__(self, module: str, args: list[str], env: Optional[dict] = None) -> None:
        self.port = free_port()
        self.output = tempfile.TemporaryFile()
        self.process = subprocess.Popen([sys.executable, "-m", module, str(self.port), *args], cwd=ROOT,
                                        env=dict(os.environ, **(env or {})), stdout=self.output, stderr=subprocess.STDOUT)
        try:
            # agent frameworks take seconds to import (tens of seconds on a loaded machine)
            wait_until(self._listening, 90, f"{module} {args} to listen")
        except BaseException:
            self.stop()
            raise

    def _listening(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"exited: {self.text()}")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def text(self) -> str:
        self.output.seek(0)
        return self.output.read().decode(errors="replace")

    def stop(self) -> None:
        self.process.kill()  # the SDK swallows SIGTERM
        self.process.wait()
        self.output.close()


class Deployment:
    """The services of some fixture files, served in child processes and registered.

    replays: register it request-response (HTTP/1.1): the SDK then ends the request whenever it
    waits on the server, so every run, call or sleep is followed by a replay of the journal.
    instances: that many processes (hash seeds 1, 2, ...) behind a round-robin balancer, so
    each replay runs in the next process.
    env: more environment variables for the processes.
    """

    def __init__(self, server: RestateServer, paths: list[Path], replays: bool = False, instances: int = 1,
                 env: Optional[dict] = None) -> None:
        self.instances: list[_Child] = []
        args = [str(p) for p in paths]
        env = dict(env or {}, **({"RESTATE_ORACLE_ONE_REQUEST": "1"} if instances > 1 else {}))
        try:
            for seed in range(1, instances + 1):
                self.instances.append(_Child("tests.oracle.serve", args, dict(env, PYTHONHASHSEED=str(seed))))
            front = self.instances[0]
            if instances > 1:
                front = _Child("tests.oracle.balancer", [str(c.port) for c in self.instances])
                self.instances.append(front)
            server.register(front.port, http11=replays or instances > 1)
        except BaseException:
            self.stop()
            raise

    def text(self) -> str:
        """What the deployment printed: the SDK reports 598s and unawaited coroutines only here."""
        return "".join(child.text() for child in self.instances)

    def stop(self) -> None:
        for child in self.instances:
            child.stop()
