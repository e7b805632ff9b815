"""A real restate-server for the oracle: started on free 127.0.0.1 ports, queried over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "node_modules" / "@restatedev" / "restate-server-linux-x64" / "bin" / "restate-server"

# A failing invocation pauses after this many attempts (the default is 70, about an hour);
# the pause itself, not the count, is what the default policy does.
MAX_ATTEMPTS = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: Any = None, timeout: float = 10.0, headers: Optional[dict] = None):
    """(status, parsed JSON or text) of one request; HTTP errors are answers, not exceptions."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        request.add_header("content-type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def wait_until(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def _answers(url: str) -> bool:
    try:
        return http("GET", url, timeout=1)[0] == 200
    except OSError:
        return False


class RestateServer:
    def __init__(self) -> None:
        self.base_dir = Path(tempfile.mkdtemp(prefix="restate-oracle-"))
        self.admin_port, self.ingress_port, self.node_port = free_port(), free_port(), free_port()
        env = dict(
            os.environ,
            RESTATE_ADMIN__BIND_PORT=str(self.admin_port),
            RESTATE_INGRESS__BIND_PORT=str(self.ingress_port),
            RESTATE_BIND_PORT=str(self.node_port),
            RESTATE_BIND_IP="127.0.0.1",
            RESTATE_LISTEN_MODE="tcp",
            RESTATE_DISABLE_TELEMETRY="true",
            RESTATE_DEFAULT_NUM_PARTITIONS="1",
            RESTATE_DEFAULT_RETRY_POLICY__MAX_ATTEMPTS=str(MAX_ATTEMPTS),
            RESTATE_DEFAULT_RETRY_POLICY__INITIAL_INTERVAL="100ms",
            # ask the deployment to suspend as soon as it waits: every await becomes a replay
            RESTATE_WORKER__INVOKER__INACTIVITY_TIMEOUT="0s",
        )
        self.log = open(self.base_dir / "server.log", "wb")
        self.process = subprocess.Popen(
            [str(BINARY), "--base-dir", str(self.base_dir), "--no-logo"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.admin = f"http://127.0.0.1:{self.admin_port}"
        self.ingress = f"http://127.0.0.1:{self.ingress_port}"
        try:
            wait_until(lambda: _answers(f"{self.admin}/health") and _answers(f"{self.ingress}/restate/health"),
                       30, "restate-server to start")
        except BaseException:
            self.stop()
            raise

    def sql(self, query: str) -> list[dict]:
        status, answer = http("POST", f"{self.admin}/query", {"query": query}, headers={"accept": "application/json"})
        assert status == 200, answer
        return answer["rows"]

    def register(self, port: int, http11: bool = False) -> None:
        status, answer = http("POST", f"{self.admin}/deployments",
                              {"uri": f"http://127.0.0.1:{port}", "force": True, "use_http_11": http11})
        assert status in (200, 201), answer

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.log.close()
        shutil.rmtree(self.base_dir, ignore_errors=True)
