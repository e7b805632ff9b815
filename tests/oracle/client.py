"""What the oracle asks Restate: ingress calls, and the admin API's view of the invocations."""

from __future__ import annotations

import json
from typing import Any

from tests.oracle.server import RestateServer, http, wait_until


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

    def resume(self, invocation_id: str) -> None:
        status, answer = http("PATCH", f"{self.server.admin}/invocations/{invocation_id}/resume")
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
        """The journal's events, oldest first: a TransientError per failure (identical failures in a
        row are kept once), Paused when the retries ran out."""
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
