"""What a broken or hostile client sends: each request still gets an answer, the framing
recovers after a bad header, and no length can make the server wait for or buffer it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from raw_client import INITIALIZE, TIMEOUT, RawServer, frame, read_frame, request, server_env
from restate_lint.lsp.framing import MAX_BODY, Deframer, Dropped

INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR = -32602, -32600, -32700


@pytest.fixture
def server():
    running = RawServer()
    running.initialize()
    yield running
    running.close()


def log_messages(server: RawServer) -> list[str]:
    return [m["params"]["message"] for m in server.seen if m.get("method") == "window/logMessage"]


def test_request_with_malformed_params_gets_an_invalid_params_reply(server):
    server.send(frame(request(7, "textDocument/codeAction", {"textDocument": 5})))
    reply = server.reply(7)
    assert reply["error"]["code"] == INVALID_PARAMS
    server.send(frame(request("eight", "textDocument/hover", [1, 2])))
    assert server.reply("eight")["error"]["code"] == INVALID_PARAMS
    server.alive(9)


def test_body_that_is_not_json_or_not_a_request_gets_the_json_rpc_error(server):
    server.send(frame(b"{not json"))
    assert server.reply(None)["error"]["code"] == PARSE_ERROR
    server.seen.clear()
    server.send(frame(b"[" * 100_000 + b"]" * 100_000))  # nested too deeply for json
    assert server.reply(None)["error"]["code"] == PARSE_ERROR
    server.seen.clear()
    server.send(frame({"jsonrpc": "2.0", "id": {"an": "object"}, "method": "shutdown"}))
    assert server.reply(None)["error"]["code"] == INVALID_REQUEST
    server.alive(3)


def test_malformed_notification_is_not_answered_and_does_not_stop_the_server(server):
    server.send(frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": "x"}}))
    server.alive(4)
    assert [m for m in server.seen if "id" in m and m["id"] not in (1, 4)] == []  # notifications get no reply


def test_a_malformed_answer_to_the_servers_request_fails_that_request_only():
    server = RawServer()
    try:
        server.send(frame(request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": {"workspace": {"configuration": True}}})))
        server.reply(1)
        server.send(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        pull = server.wait_for(lambda m: m.get("method") == "workspace/configuration", "workspace/configuration request")
        server.send(frame({"jsonrpc": "2.0", "id": pull["id"], "result": 5}))  # not a list
        server.wait_for(lambda m: "workspace/configuration failed" in m.get("params", {}).get("message", ""), "the failure logged")
        server.alive(2)
    finally:
        server.close()


@pytest.mark.parametrize("header", [
    b"Content-Length: abc\r\n\r\n",  # not a number
    b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n",  # no length at all
    b"Content-Length: -5\r\n\r\n",
    b"garbage line\r\n\r\n",
])  # fmt: skip
def test_a_bad_header_loses_only_its_own_message(server, header):
    body = b'{"jsonrpc": "2.0", "id": 5, "method": "shutdown"}'
    server.send(header + body)
    server.alive(6)  # the frame after the broken one is read whole
    assert not any(m.get("id") == 5 for m in server.seen)
    assert any("dropped" in m for m in log_messages(server))


def test_a_length_shorter_than_the_body_loses_only_that_message(server):
    body = b'{"jsonrpc": "2.0", "id": 5, "method": "shutdown"}'
    server.send(frame(body, length=10))
    assert server.reply(None)["error"]["code"] == PARSE_ERROR  # the 10 bytes
    server.alive(6)


def test_a_huge_content_length_is_neither_waited_for_nor_buffered(server):
    server.send(b"Content-Length: 99999999999999\r\n\r\n" + b'{"jsonrpc": "2.0", "id": 5, "method": "shutdown"}')
    server.alive(6)
    before = server.rss_mib()
    # a body over the limit really sent: skipped as it arrives, in bounded memory
    chunk = b"x" * (1 << 20)
    server.send(b"Content-Length: %d\r\n\r\n" % (MAX_BODY * 2))
    for _ in range(2 * (MAX_BODY >> 20)):
        server.send(chunk)
    server.alive(7)
    assert server.rss_mib() < before + 32
    assert any("over the 64 MiB limit" in m for m in log_messages(server))


# -- the state machine alone -----------------------------------------------------------


def test_deframer_takes_bodies_split_anywhere_and_any_header_spelling():
    stream = frame(b'{"a": 1}') + b"content-length:8\nContent-Type: x\n\n" + b'{"b": 2}' + frame(b"{}")
    deframer = Deframer()
    out = [f for i in range(len(stream)) for f in deframer.feed(stream[i : i + 1])]
    assert out == [b'{"a": 1}', b'{"b": 2}', b"{}"]


def test_deframer_resynchronises_on_the_next_header_and_reports_once():
    deframer = Deframer()
    broken = b"Content-Length: nope\r\n\r\n" + b'{\r\n  "pretty": "printed"\r\n}'
    assert deframer.feed(broken + frame(b"[1]") + frame(b"[2]")) == [Dropped("a header block without a valid Content-Length"), b"[1]", b"[2]"]


def test_deframer_keeps_bounded_memory_on_an_endless_line():
    deframer = Deframer()
    for _ in range(100):
        assert deframer.feed(b"y" * 100_000) in ([], [Dropped("bytes that are not a message header")])
        assert len(deframer.buffer) <= 100_000 + 64
    assert deframer.feed(frame(b"[3]")) == [Dropped("bytes that are not a message header"), b"[3]"] or deframer.buffer == bytearray()


def test_over_tcp_the_same_framing_serves_the_connection():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "restate_lint", "lsp", "--tcp", str(port)], env=server_env(), stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never listened"
                time.sleep(0.1)
        with conn, conn.makefile("rb") as stream:
            conn.sendall(frame(INITIALIZE) + b"Content-Length: nope\r\n\r\n{}" + frame(request(2, "textDocument/hover", [1])))
            while (message := read_frame(stream)) is not None and message.get("id") != 2:
                pass
            assert message["error"]["code"] == INVALID_PARAMS
    finally:
        proc.kill()
        proc.wait()
