"""A real restate-server for the oracle: started on free 127.0.0.1 ports, queried over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
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

    def version(self) -> str:
        return http("GET", f"{self.admin}/version")[1]["version"]

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


class _Child:
    """A child process listening on a free 127.0.0.1 port, its output kept in a file."""

    def __init__(self, module: str, args: list[str], env: Optional[dict] = None) -> None:
        self.port = free_port()
        self.output = tempfile.TemporaryFile()
        self.process = subprocess.Popen([sys.executable, "-m", module, str(self.port), *args], cwd=ROOT,
                                        env=dict(os.environ, **(env or {})), stdout=self.output, stderr=subprocess.STDOUT)
        try:
            wait_until(self._listening, 20, f"{module} {args} to listen")
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


class Client:
    """Ingress calls and what the admin SQL API says of them."""

    def __init__(self, server: RestateServer) -> None:
        self.server = server

    def call(self, path: str, body: Any = None, timeout: float = 10.0):
        return http("POST", f"{self.server.ingress}/{path}", body, timeout=timeout)

    def send(self, path: str, body: Any = None) -> str:
        status, answer = self.call(f"{path}/send", body)
        assert status in (200, 202), answer
        return answer["invocationId"]

    def invocation(self, invocation_id: str) -> dict:
        rows = self.server.sql(f"SELECT * FROM sys_invocation WHERE id = '{invocation_id}'")
        return rows[0] if rows else {}

    def wait(self, invocation_id: str, *statuses: str, timeout: float = 15.0) -> dict:
        """The invocation's row once its status is one of `statuses`."""
        def reached():
            row = self.invocation(invocation_id)
            return row if row.get("status") in statuses else None
        return wait_until(reached, timeout, f"{invocation_id} to be {'/'.join(statuses)}", interval=0.1)

    def last(self, target: str) -> str:
        """The id of the newest invocation of `target` ("Svc/handler" or "Svc/key/handler")."""
        rows = self.server.sql(f"SELECT id FROM sys_invocation WHERE target = '{target}' ORDER BY created_at DESC LIMIT 1")
        assert rows, f"{target} was never invoked"
        return rows[0]["id"]

    def find(self, target: str, status: str, timeout: float = 15.0) -> str:
        """The id of an invocation of `target` ("Svc/key/handler") once one has `status`."""
        query = f"SELECT id FROM sys_invocation WHERE target = '{target}' AND status = '{status}'"
        return wait_until(lambda: self.server.sql(query), timeout, f"a {status} {target}", interval=0.1)[0]["id"]

    def journal(self, invocation_id: str) -> list[dict]:
        return self.server.sql(
            f"SELECT index, entry_type, name, entry_json FROM sys_journal WHERE id = '{invocation_id}' ORDER BY index")

    def set_inactivity_timeout(self, service: str, timeout: str) -> None:
        status, answer = http("PATCH", f"{self.server.admin}/services/{service}", {"inactivity_timeout": timeout})
        assert status == 200, answer

    def kill(self, invocation_id: str) -> None:
        status, answer = http("PATCH", f"{self.server.admin}/invocations/{invocation_id}/kill")
        assert status in (200, 202), answer

    def cancel(self, invocation_id: str) -> None:
        status, answer = http("PATCH", f"{self.server.admin}/invocations/{invocation_id}/cancel")
        assert status in (200, 202), answer

    def kill_unfinished(self) -> None:
        """Kill what a test left running, paused or deadlocked, so the next one starts clean."""
        for row in self.server.sql("SELECT id FROM sys_invocation WHERE status != 'completed'"):
            http("PATCH", f"{self.server.admin}/invocations/{row['id']}/kill")

    def output(self, invocation_id: str, timeout: float = 15.0):
        return http("GET", f"{self.server.ingress}/restate/invocation/{invocation_id}/attach", timeout=timeout)

    def events(self, invocation_id: str) -> list[dict]:
        """The journal's events (a TransientError per failed attempt), oldest first."""
        rows = self.server.sql(
            f"SELECT event_json FROM sys_journal_events WHERE id = '{invocation_id}' ORDER BY appended_at")
        return [json.loads(row["event_json"]) for row in rows]

    def wait_event(self, invocation_id: str, predicate, timeout: float = 15.0) -> dict:
        """The first journal event of the invocation that satisfies `predicate`."""
        return wait_until(lambda: next(filter(predicate, self.events(invocation_id)), None), timeout,
                          f"an event of {invocation_id}", interval=0.1)

    def paused_after(self, invocation_id: str, timeout: float = 15.0) -> list[dict]:
        """Wait until the invocation is paused; its failures: the retried ones (the journal keeps
        one event per run of identical failures), then the one that paused it."""
        self.wait(invocation_id, "paused", timeout=timeout)
        events = wait_until(lambda: (e := self.events(invocation_id)) and e[-1]["ty"] == "Paused" and e,
                            5, f"{invocation_id}'s Paused event")
        return [e if e["ty"] == "TransientError" else e["last_failure"]
                for e in events if e["ty"] in ("TransientError", "Paused")]
