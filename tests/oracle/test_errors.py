"""Error handling: terminal failures, and excepts that catch what the SDK raises."""

from pathlib import Path

from tests.oracle.expect import every_attempt_mismatches

SLOW_CALLEES = Path(__file__).parent / "stubs" / "slow_callees.py"


def _cancelled_while_waiting(deploy, client, fixture: str, path: str, body) -> str:
    """Start the fixture's handler against callees that wait 30 s, cancel it once it is suspended
    on them; the invocation's id."""
    deploy(fixture)
    deploy(SLOW_CALLEES)
    invocation_id = client.send(path, body)
    client.wait(invocation_id, "suspended")
    client.cancel(invocation_id)
    return invocation_id


def test_rst205_foreign_awaitable_fails_the_invocation_terminally(deploy, client):
    deploy("RST205/invalid_coroutines.py")
    invocation_id = client.send("Dashboard/render", "ada")
    row = client.wait(invocation_id, "completed")
    assert row["completion_result"] == "failure"
    assert "All futures must SDK created futures." in row["completion_failure"]
    assert [e for e in client.events(invocation_id) if e["ty"] == "TransientError"] == []  # never retried


def test_rst205_valid_sdk_futures_complete(deploy, client):
    deploy("RST205/valid_sdk_futures.py")
    status, answer = client.call("Dashboard/render", "ada")
    assert status == 200, answer


def test_rst501_bare_except_runs_at_the_suspension(deploy, client):
    deployment = deploy("RST501/invalid_bare_except.py")
    # the call suspends the handler; the suspension lands in `except:`, which returns
    assert client.call("Greeter/greet", "ada") == (200, "Hello ada (email sent: True)")
    output = deployment.text()
    assert "(598) Execution is suspended, but the handler is still attempting to make progress (calling 'handler return')" in output


def test_rst501_valid_guard_lets_the_suspension_through(deploy, client, key):
    deployment = deploy("RST501/valid_internal_exception_guard.py")
    assert client.call(f"Subscription/{key}/renew") == (200, f"ch_{key}")
    assert "(598)" not in deployment.text()


def test_rst502_cancelled_invocation_completes_as_success(deploy, client):
    pay = _cancelled_while_waiting(deploy, client, "RST502/invalid_except_exception.py", "Payments/pay", {"card": "4242", "amount": 10})
    row = client.wait(pay, "completed")
    assert row["completion_result"] == "success"  # the cancellation was swallowed
    assert client.output(pay) == (200, "psp-4242-10")  # and the card was charged after it
    check = client.last("Fraud/check")
    assert client.wait(check, "completed")["completion_failure"] == "[409] cancelled"  # what pay caught


def test_rst502_valid_terminal_error_guard_lets_the_cancellation_through(deploy, client):
    publish = _cancelled_while_waiting(deploy, client, "RST502/valid_terminal_error_guard.py", "Reports/publish", {"id": "r1"})
    row = client.wait(publish, "completed")
    assert (row["completion_result"], row["completion_failure"]) == ("failure", "[409] cancelled")


def test_rst502_swallowed_journal_mismatch_still_fails_the_attempt(deploy, client, key):
    deploy("RST502/invalid_mismatch_swallowed.py", replays=True)
    every_attempt_mismatches(client, client.send(f"GuardedDraft/{key}/create", "book"), "value:")


def test_rst502_cancellation_replaced_by_another_error_is_retried(deploy, client):
    label = _cancelled_while_waiting(deploy, client, "RST502/invalid_except_raises_other_error.py", "Shipping/label", {"id": "p1"})
    row = client.wait(label, "backing-off", "paused")  # not completed: LabelFailed is retried
    assert "LabelFailed" in row["last_failure"], row


def test_rst210_pending_gets_the_completed_futures(deploy, client):
    deploy("RST210/invalid_swapped_names.py")
    assert client.call("Racer/race") == (200, "fast is pending")  # the finished run is in `pending`


def test_rst210_valid_names_in_order(deploy, client):
    deploy("RST210/valid_names_in_order.py")
    assert client.call("Racer/race") == (200, "fast is done")


def test_rst503_valid_terminal_error_fails_the_invocation_once(deploy, client):
    deploy("RST503/valid_terminal_validation.py")
    invocation_id = client.send("Payments/pay", {"amount": 0})
    row = client.wait(invocation_id, "completed")
    assert (row["completion_result"], row["completion_failure"]) == ("failure", "[400] amount must be positive")
    assert [e for e in client.events(invocation_id) if e["ty"] == "TransientError"] == []  # never retried
