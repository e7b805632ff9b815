"""A local stand-in for OpenAI's API (Responses and Chat Completions), counting the model calls.

It answers the first turn of a conversation with a call of `tool` (when set and offered), and
any turn that carries a tool's output with a final message; no network, no key.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

FINAL = "All done."
_USAGE = {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2,
          "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 0}}


def _response(request: dict, tool: Optional[str], arguments: dict, turn: int) -> dict:
    items = request.get("input") if isinstance(request.get("input"), list) else []
    answered = any(isinstance(i, dict) and i.get("type") == "function_call_output" for i in items)
    offered = any(t.get("name") == tool for t in request.get("tools") or [])
    if tool and offered and not answered:
        output = [{"type": "function_call", "id": f"fc_{turn}", "call_id": f"call_{tool}", "name": tool,
                   "arguments": json.dumps(arguments), "status": "completed"}]
    else:
        output = [{"type": "message", "id": f"msg_{turn}", "status": "completed", "role": "assistant",
                   "content": [{"type": "output_text", "text": FINAL, "annotations": []}]}]
    return {"id": f"resp_{turn}", "object": "response", "created_at": 0, "model": request.get("model", "fake"),
            "status": "completed", "output": output, "parallel_tool_calls": True, "tool_choice": "auto",
            "tools": [], "usage": _USAGE}


def _completion(request: dict, turn: int) -> dict:
    return {"id": f"chatcmpl_{turn}", "object": "chat.completion", "created": 0, "model": request.get("model", "fake"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": FINAL}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


class FakeModel:
    """`url` is the base URL for an OpenAI client (`OPENAI_BASE_URL`); `hits` counts requests by path."""

    def __init__(self, tool: Optional[str] = None, arguments: Optional[dict] = None) -> None:
        self.hits: Counter[str] = Counter()
        model = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                model.hits[self.path] += 1
                turn = sum(model.hits.values())
                if self.path.endswith("/responses"):
                    body = _response(request, tool, arguments or {}, turn)
                elif self.path.endswith("/chat/completions"):
                    body = _completion(request, turn)
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    @property
    def env(self) -> dict:
        """The environment that points OpenAI clients (and openai-agents) at this model."""
        return {"OPENAI_BASE_URL": self.url, "OPENAI_API_KEY": "fake", "LOCAL_MODEL_URL": self.url,
                "OPENAI_AGENTS_DISABLE_TRACING": "1"}

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
