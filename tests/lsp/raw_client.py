"""`restate-lint lsp` in a subprocess, spoken to in raw bytes: for what a well-behaved client
library never sends (broken headers, lengths, bodies)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable, Optional

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0


def frame(message: dict | bytes, length: Optional[int] = None) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length) + body


def request(msg_id, method: str, params=None) -> dict:
    return {"jsonrpc": "2.0", "id": msg_id, "method": method, **({} if params is None else {"params": params})}


INITIALIZE = request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": {}})


def read_frame(stream) -> Optional[dict]:
    """One message as the protocol frames it (read independently of the server's reader), or
    None at the end of the stream."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return json.loads(stream.read(length))


def server_env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


class RawServer:
    def __init__(self, *command: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, *(command or ("-m", "restate_lint", "lsp"))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=server_env(),
        )  # fmt: skip
        self.messages: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while (message := read_frame(self.proc.stdout)) is not None:
            self.messages.put(message)

    def send(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def wait_for(self, wanted: Callable[[dict], bool], what: str) -> dict:
        for message in self.seen:
            if wanted(message):
                return message
        while True:
            try:
                message = self.messages.get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError(f"no {what} from the server; it sent {self.seen}") from None
            self.seen.append(message)
            if wanted(message):
                return message

    def reply(self, msg_id) -> dict:
        return self.wait_for(lambda m: "method" not in m and m.get("id") == msg_id, f"reply to {msg_id!r}")

    def initialize(self) -> None:
        self.send(frame(INITIALIZE))
        assert "capabilities" in self.reply(1)["result"]
        self.send(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))

    def alive(self, msg_id) -> None:
        """The server still frames and answers requests."""
        where = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
        self.send(frame(request(msg_id, "textDocument/codeAction", {"textDocument": {"uri": "file:///nowhere.py"}, "range": where, "context": {"diagnostics": []}})))
        assert "error" not in self.reply(msg_id)

    def rss_mib(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as status:
            kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        return kib / 1024

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
