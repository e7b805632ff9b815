"""The base protocol's framing (header lines, a blank line, then Content-Length bytes of JSON),
read so that no input can desynchronise, stall or balloon the server, and every request gets an
answer.

pygls's own loop trusts its input: a request whose params do not match the method's type was
logged and never answered, a header block without a valid Content-Length made it read the body as
headers and lose the messages after it, and a Content-Length of many gigabytes made it wait for
(and buffer) that many bytes. Here framing is a small state machine over the bytes received
(`Deframer`, free of I/O), and each body is answered as JSON-RPC says when it is not a message
the server can take: a parse error, an invalid request, or invalid params, with the request's id.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional, Union

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcInvalidRequest, JsonRpcParseError
from pygls.protocol import JsonRPCProtocol

MAX_BODY = 64 << 20  # a didOpen of the largest file read (16 MiB), JSON-escaped, fits
MAX_LINE = 8 << 10  # no header is this long: a longer line is not a header
READ_SIZE = 1 << 16
# A Content-Length header ends a line: either the whole line, or (after bytes that are not a
# header, such as the rest of a body read with a wrong length) its end. JSON cannot hold a raw
# line break inside a string, so a body never ends a line with one.
_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*(\d{1,20})[ \t]*\r?\n\Z", re.IGNORECASE)
_HEADER = re.compile(rb"[!-9;-~]+[ \t]*:[^\r\n]*\r?\n\Z")
_TAIL = 64  # what is kept of an overlong line: enough to hold a Content-Length header


@dataclass(frozen=True)
class Dropped:
    """Bytes that were not a message (said once per run of them, not per line)."""

    why: str


class Deframer:
    def __init__(self) -> None:
        self.buffer = bytearray()
        self.length: Optional[int] = None  # the header block's Content-Length
        self.in_body = False
        self.in_headers = False  # a header block has started
        self.overlong = False  # the line being read is longer than MAX_LINE
        self.dropping = False  # bytes were dropped since the last message

    def feed(self, data: bytes) -> list[Union[bytes, Dropped]]:
        """The bodies (and drops) that `data` completes."""
        self.buffer += data
        out: list[Union[bytes, Dropped]] = []
        while True:
            if self.in_body:
                if len(self.buffer) < self.length:
                    return out
                out.append(bytes(self.buffer[: self.length]))
                del self.buffer[: self.length]
                self.length, self.in_body, self.in_headers, self.dropping = None, False, False, False
                continue
            end = self.buffer.find(b"\n")
            if end < 0:
                if len(self.buffer) > MAX_LINE:
                    del self.buffer[:-_TAIL]
                    self.overlong = True
                return out
            line = bytes(self.buffer[: end + 1])
            del self.buffer[: end + 1]
            overlong, self.overlong = self.overlong, False
            self._line(line, overlong, out)

    def _line(self, line: bytes, overlong: bool, out: list) -> None:
        if not overlong and not line.strip():
            if self.length is not None:
                self.in_body = True
            elif self.in_headers:
                self._drop("a header block without a valid Content-Length", out)
            self.in_headers = False
            return
        found = _LENGTH.search(line)
        if found is not None and (found.start() > 0 or overlong):  # the rest of a body, then a header
            self._drop("bytes that are not a message header", out)
            self._start(int(found.group(1)), out)
        elif found is not None:
            if self.length is None:
                self._start(int(found.group(1)), out)
        elif not overlong and _HEADER.fullmatch(line):
            self.in_headers = True  # another header (Content-Type): nothing to do with it
        else:
            self._drop("bytes that are not a message header", out)
            self.length, self.in_headers = None, False

    def _start(self, length: int, out: list) -> None:
        """A header block with this Content-Length; one over the limit is dropped, and its body
        is then skipped as lines that are not headers (never buffered whole)."""
        self.in_headers = True
        if length > MAX_BODY:
            self._drop(f"a message of {length} bytes (Content-Length), over the {MAX_BODY >> 20} MiB limit", out)
            self.length = None
        else:
            self.length = length

    def _drop(self, why: str, out: list) -> None:
        if not self.dropping:
            out.append(Dropped(why))
        self.dropping = True


def handle_body(protocol: JsonRPCProtocol, body: bytes, log: Callable[[str], None]) -> None:
    """Hand one body to pygls, or answer it with the error JSON-RPC prescribes."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, nested too deeply
        _reply_error(protocol, None, JsonRpcParseError())
        return
    if not isinstance(data, dict) or data.get("jsonrpc") != JsonRPCProtocol.VERSION:
        _reply_error(protocol, None, JsonRpcInvalidRequest())
        return
    msg_id = data.get("id")
    is_request = "id" in data and "result" not in data and "error" not in data
    reply_id = msg_id if isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool) else None
    if is_request and (reply_id is None or not isinstance(data.get("method"), str)):
        _reply_error(protocol, None, JsonRpcInvalidRequest())
        return
    try:
        message = protocol.structure_message(data)
    except JsonRpcException as exc:  # params (or a response) that are not of the method's type
        if is_request:
            _reply_error(protocol, reply_id, JsonRpcInvalidParams(f"Invalid params for {data['method']}") if isinstance(exc, JsonRpcInvalidParams) else exc)
            return
        log(f"ignored a malformed {data.get('method', 'response')} message")
        waiting = protocol._request_futures.pop(msg_id, None) if "method" not in data and reply_id is not None else None
        if waiting is not None and not waiting.done():  # the server's request would wait forever
            waiting.set_exception(exc)
        return
    protocol.handle_message(message)


def _reply_error(protocol: JsonRPCProtocol, msg_id, error: JsonRpcException) -> None:
    protocol._send_response(msg_id, error=error.to_response_error())


async def serve_messages(read: Callable[[], Awaitable[bytes]], protocol: JsonRPCProtocol, stopped: Callable[[], bool], log: Callable[[str], None]) -> None:
    """Read frames until the input ends (or the server stops), handing each body to pygls."""
    deframer = Deframer()
    while not stopped():
        data = await read()
        if not data:
            return
        for frame in deframer.feed(data):
            if isinstance(frame, Dropped):
                log(f"dropped {frame.why}")
            else:
                handle_body(protocol, frame, log)
            await asyncio.sleep(0)  # let handlers that a message started run between messages
