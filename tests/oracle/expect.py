"""Outcomes several oracle tests look for."""

MISMATCH = "Found a mismatch between the code paths taken during the previous execution"


def every_attempt_mismatches(client, invocation_id: str, difference: str = "", timeout: float = 15.0) -> None:
    """Every attempt failed with a journal mismatch (the SDK's 570, the server's RT0016) until paused."""
    failures = client.paused_after(invocation_id, timeout=timeout)
    assert len(failures) >= 2, failures
    for failure in failures:
        message = failure["error_message"]
        assert failure["error_code"] == 570 and MISMATCH in message and difference in message, failure
    assert {f.get("restate_doc_error_code") for f in failures} - {None} == {"RT0016"}
