"""Retryable failures: every attempt fails the same way, then the server pauses the invocation.

The session's server pauses after MAX_ATTEMPTS; test_default_policy_pauses_after_70_attempts
shows that the stock policy does the same after 70.
"""

import subprocess
import time

import pytest

from tests.oracle.server import wait_until

# rule, invalid fixture, ingress path ({key} is a fresh key), input, what each attempt fails with
FAILING = [
    ("RST203", "RST203/invalid_called_action.py", "Fx/convert_keyword", "USD", "is not a callable object"),
    ("RST204", "RST204/invalid_lambda.py", "Shipping/quote", {"carrier": "express", "weight": 2.0},
     "Object of type coroutine is not JSON serializable"),
    ("RST206", "RST206/invalid_unpacking.py", "Travel/package", {"route": "BER-LIS", "city": "Lisbon"},
     "unsupported operand type(s) for +"),
    ("RST207", "RST207/invalid_options_keyword.py", "Payments/charge", {"card": "4242", "amount": 5},
     "got an unexpected keyword argument 'options'"),
    ("RST208", "RST208/invalid_except_around_run.py", "Payments/charge", {"card": "4242", "amount": 20_000},
     "PaymentDeclined"),
    ("RST212", "RST212/invalid_suspended_exception.py", "Router/route", "fail", "has no attribute 'SuspendedException'"),
    ("RST213", "RST213/invalid_unknown_keyword.py", "Payments/charge", "4242", "unexpected keyword argument 'timeout'"),
    ("RST301", "RST301/invalid_shared_object_handler.py", "Counter/{key}/reset", None, "RT0017"),
    ("RST302", "RST302/invalid_state_in_service.py", "Greeter/greet", "Ada", "RT0017"),
    ("RST304", "RST304/invalid_sync_handlers.py", "Greeter/greet", "Ada", "object str can't be used in 'await' expression"),
    ("RST305", "RST305/invalid_extra_parameters.py", "Transfers/transfer", "a", "missing 2 required positional arguments"),
    ("RST503", "RST503/invalid_validation_errors.py", "Payments/pay", {"amount": 0}, "amount must be positive"),
]

# the valid counterparts: same service and handler, the right code, the right answer
COMPLETING = [
    ("RST203", "RST203/valid_callables.py", "Fx/convert", {"currency": "EUR", "items": [{"price": 2.0, "qty": 1}]}, 10.08),
    ("RST204", "RST204/valid_actions.py", "Shipping/quick_quote", {"carrier": "express", "weight": 2.0}, None),
    ("RST206", "RST206/valid_awaited_items.py", "Travel/package", {"route": "BER-LIS", "city": "Lisbon"}, 200.0),
    ("RST207", "RST207/valid_options.py", "Payments/charge", {"card": "4242", "amount": 5, "email": "a@b.c"}, None),
    ("RST208", "RST208/valid_terminal_error.py", "Payments/charge", {"card": "4242", "amount": 20_000}, "declined"),
    ("RST212", "RST212/valid_version_guards.py", "Router/route", "go", "GO"),
    ("RST213", "RST213/valid_sdk_calls.py", "Payments/charge", {"card": "4242", "amount": 5}, "ch_4242_5USD"),
    ("RST301", "RST301/valid_exclusive_writes.py", "Counter/{key}/add", 2, 2),
    ("RST302", "RST302/valid_right_service_type.py", "Counter/{key}/add", 2, None),
    ("RST304", "RST304/valid_async_handlers.py", "Greeter/greet", "Ada", None),
]


@pytest.mark.parametrize("rule, fixture, path, body, failure", FAILING, ids=[f[0] for f in FAILING])
def test_fails_every_attempt_then_pauses(deploy, client, key, rule, fixture, path, body, failure):
    deploy(fixture)
    invocation_id = client.send(path.format(key=key), body)
    failures = client.paused_after(invocation_id)
    assert len(failures) >= 2  # retried before pausing
    for event in failures:
        assert failure in event["error_message"] or failure == event.get("restate_doc_error_code"), event


@pytest.mark.parametrize("rule, fixture, path, body, result", COMPLETING, ids=[c[0] for c in COMPLETING])
def test_valid_counterpart_completes(deploy, client, key, rule, fixture, path, body, result):
    deploy(fixture)
    status, answer = client.call(path.format(key=key), body)
    assert status == 200, answer
    if result is not None:
        assert answer == pytest.approx(result)


def test_default_policy_pauses_after_70_attempts(restate_binary):
    """The stock retry policy, as the server reports it: 500 ms doubling to 1 min, 70 attempts, then pause."""
    config = subprocess.run([str(restate_binary), "--dump-config"], capture_output=True, text=True, check=True).stdout
    policy = config.split("[default-retry-policy]")[1].split("\n\n")[0]
    assert policy.split() == """initial-interval = "500ms" exponentiation-factor = 2.0 max-attempts = 70
        on-max-attempts = "pause" max-interval = "1m\"""".split()


def test_paused_exclusive_invocation_keeps_its_key_locked(deploy, client, key):
    deploy("RST304/invalid_sync_handlers.py")
    paused = client.send(f"Counter/{key}/reset")  # exclusive, fails every attempt
    client.paused_after(paused)
    queued = client.send(f"Counter/{key}/reset")
    time.sleep(1)
    assert client.invocation(queued)["status"] == "pending"
    seen = len(client.events(paused))
    client.resume(paused)  # it runs again (and fails again), still ahead of the queued call
    wait_until(lambda: len(client.events(paused)) > seen, 10, "the resumed attempt")
    assert client.invocation(queued)["status"] == "pending"
    client.kill(paused)  # killing the paused one is what frees the key
    assert client.wait(queued, "running", "backing-off", "paused")


def test_rst302_key_in_a_service_is_empty(deploy, client):
    deploy("RST302/invalid_state_in_service.py")
    assert client.call("Greeter/whoami") == (200, "")


def test_rst207_ignored_retry_limit_lets_the_run_fail_until_paused(deploy, client):
    deploy("RST207/invalid_retry_limit_ignored.py")  # max_retry_duration of 1 ms
    failures = client.paused_after(client.send("Gateway/charge", "4242"))
    assert all("ConnectionError" in failure["error_message"] for failure in failures), failures


def test_rst207_valid_max_duration_fails_the_run_terminally(deploy, client):
    deploy("RST207/valid_retry_limit.py")  # max_duration of 1 ms
    row = client.wait(client.send("Gateway/charge", "4242"), "completed")
    assert (row["completion_result"], row["completion_failure"]) == ("failure", "[500] ConnectionError('gateway down for 4242')")
