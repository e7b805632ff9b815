"""A minimal language-server client over stdio (JSON-RPC with Content-Length framing), enough to
time diagnostics: requests, notifications, and waiting for a matching message from the server."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, Optional


class LspError(Exception):
    """The server failed, exited or did not answer in time."""


class LspClient:
    def __init__(self, cmd: list[str], cwd: Path, env: dict, stderr) -> None:
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
        self.messages: queue.Queue = queue.Queue()  # (arrival time, message); None once stdout closes
        self.write_lock = threading.Lock()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:  # end of output: the server has gone
                    self.messages.put(None)
                    return
                if not line.strip():
                    if headers:
                        break
                    continue
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            arrived = time.perf_counter()  # stamped here, so waiting in the main thread adds nothing
            message = json.loads(body)
            if "method" in message and "id" in message:
                self._answer(message)  # the server waits for these: answer at once
            else:
                self.messages.put((arrived, message))

    def _answer(self, request: dict) -> None:
        result = [None] * len(request["params"]["items"]) if request["method"] == "workspace/configuration" else None
        self._send({"id": request["id"], "result": result})

    def _send(self, message: dict) -> float:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        with self.write_lock:
            sent = time.perf_counter()
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            self.proc.stdin.flush()
        return sent

    def notify(self, method: str, params: dict) -> float:
        """Send a notification; return when it was sent."""
        return self._send({"method": method, "params": params})

    def request(self, method: str, params: Optional[dict], timeout: float) -> dict:
        self.next_id += 1
        rid = self.next_id
        self._send({"id": rid, "method": method, "params": params})
        _, message = self.wait(lambda m: m.get("id") == rid and "method" not in m, timeout)
        if "error" in message:
            raise LspError(f"{method}: {message['error']}")
        return message.get("result")

    def wait(self, match: Callable[[dict], bool], timeout: float) -> tuple[float, dict]:
        """The first message from now on that `match`es, with its arrival time; others are dropped."""
        deadline = time.perf_counter() + timeout
        while (left := deadline - time.perf_counter()) > 0:
            try:
                item = self.messages.get(timeout=left)
            except queue.Empty:
                break
            if item is None:
                raise LspError(f"the server exited (code {self.proc.wait()})")
            if match(item[1]):
                return item
        raise LspError(f"no answer within {timeout:.0f} s")

    def close(self, timeout: float = 10.0) -> None:
        """shutdown, exit, and kill the server if it is still there after `timeout`."""
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None, timeout)
                self.notify("exit", {})
                self.proc.wait(timeout)
        except (LspError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


def publish_for(uri: str, version: int, count: Optional[int] = None) -> Callable[[dict], bool]:
    """Matches the diagnostics published for `uri` at `version`; a server that publishes without
    versions must instead show `count` findings (when given), so an older publish is not taken."""

    def match(message: dict) -> bool:
        if message.get("method") != "textDocument/publishDiagnostics" or message["params"]["uri"] != uri:
            return False
        published = message["params"].get("version")
        if published is not None:
            return published == version
        return count is None or len(message["params"]["diagnostics"]) == count

    return match
