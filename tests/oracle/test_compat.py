"""Deploying a new version (RST8xx): each compat fixture's v1 registered, an invocation left waiting
on it, then v2 registered as a new deployment (v1's keeps running) or put in place of v1's
(`PATCH /deployments/{id}` with `overwrite`), and what the server does with the registration,
the waiting invocation and new calls.

Each test has a server of its own: a service's revisions are the point, and they would carry over.
"""

import time

import pytest

from tests.oracle.expect import every_attempt_mismatches
from tests.oracle.server import RestateServer, http, wait_until
from tests.oracle.upgrade import Upgrade

REFUSED_TYPE_CHANGE = "META0006"
SLOW = 60.0  # a fresh server and two deployments per test: generous on a loaded machine


@pytest.fixture
def upgrade(restate_binary):
    servers, upgrades = [], []

    def start(fixture: str) -> Upgrade:
        servers.append(RestateServer())
        upgrades.append(Upgrade(servers[-1], fixture))
        upgrades[-1].start()
        return upgrades[-1]

    yield start
    for u in upgrades:
        u.stop()
    for s in servers:
        s.stop()


def _in_place_while_waiting(u: Upgrade, invocation_id: str) -> None:
    """v2 put in place while the invocation still waits in its sleep (it must replay on v2)."""
    assert u.in_place()[0] == 200
    assert u.client.invocation(invocation_id)["status"] == "suspended", "the sleep ended before the update: lengthen it"


def _waiting(u: Upgrade, path: str, body) -> str:
    """An invocation of v1 suspended in a sleep."""
    invocation_id = u.client.send(path, body)
    u.client.wait(invocation_id, "suspended", timeout=SLOW)
    return invocation_id


def test_rst801_removed_service_new_deployment_is_accepted_and_the_old_one_keeps_serving_it(upgrade):
    u = upgrade("RST801/invalid_removed_service")
    waiting = _waiting(u, "Inventory801/count", "sku")
    assert u.new_deployment(dry_run=True)[0] == 201
    assert u.new_deployment()[0] == 201  # no force needed
    assert u.client.invocation(waiting)["status"] == "suspended"
    assert u.client.wait(waiting, "completed", timeout=SLOW)["completion_result"] == "success"
    assert u.client.call("Inventory801/count", "abcd", timeout=SLOW) == (200, 4)  # still served by v1's deployment


def test_rst801_removed_service_in_place_fails_its_invocations(upgrade):
    u = upgrade("RST801/invalid_removed_service")
    waiting = _waiting(u, "Inventory801/count", "sku")
    _in_place_while_waiting(u, waiting)
    failure = u.client.paused_after(waiting, timeout=SLOW)[-1]
    assert failure["restate_doc_error_code"] == "RT0012" and "404" in failure["error_message"], failure  # v2 does not know it
    status, answer = u.client.call("Inventory801/count", "sku")
    assert status == 404 and "not found" in answer["message"], answer


def test_rst802_removed_handler_new_deployment_is_accepted_and_new_calls_get_404(upgrade):
    u = upgrade("RST802/invalid_removed_handler")
    waiting = _waiting(u, "Orders802/cancel", "o1")
    status, answer = u.client.call("Orders802/cancel/send?delay=10s", "o2")  # due well after v2 is registered
    assert status == 202, answer
    delayed = answer["invocationId"]
    assert u.new_deployment()[0] == 201
    assert u.client.invocation(waiting)["status"] == "suspended"
    assert u.client.wait(waiting, "completed", timeout=SLOW)["completion_result"] == "success"  # stays on v1's deployment
    failure = u.client.paused_after(delayed, timeout=SLOW)[-1]  # started after v2, sent to v2
    assert failure["restate_doc_error_code"] == "RT0012" and "404" in failure["error_message"], failure
    status, answer = u.client.call("Orders802/cancel", "o3")
    assert status == 404 and "handler 'cancel' was not found" in answer["message"], answer


def test_rst802_removed_handler_in_place_fails_its_invocations(upgrade):
    u = upgrade("RST802/invalid_removed_handler")
    waiting = _waiting(u, "Orders802/cancel", "o1")
    _in_place_while_waiting(u, waiting)
    failure = u.client.paused_after(waiting, timeout=SLOW)[-1]
    assert failure["restate_doc_error_code"] == "RT0012" and "404" in failure["error_message"], failure


def test_rst803_service_type_change_is_refused_without_breaking(upgrade):
    u = upgrade("RST803/invalid_service_to_object")
    for how in ({"dry_run": True}, {}):
        status, answer = u.new_deployment(**how)
        assert status == 409 and REFUSED_TYPE_CHANGE in answer["message"], answer
    assert u.new_deployment(breaking=True)[0] == 201
    status, answer = u.client.call("Profile803/show", "u")  # the old callers' path
    assert status == 400, answer
    assert u.client.call("Profile803/k/show", "u", timeout=SLOW) == (200, "u")


def test_rst803_service_type_change_in_place_is_accepted(upgrade):
    u = upgrade("RST803/invalid_service_to_object")
    assert u.in_place()[0] == 200
    assert u.client.call("Profile803/show", "u")[0] == 400


@pytest.mark.parametrize("how", ["new", "in_place"])
def test_rst804_kind_change_is_accepted_both_ways(upgrade, how):
    u = upgrade("RST804/invalid_exclusive_to_shared")
    assert (u.new_deployment() if how == "new" else u.in_place())[0] in (200, 201)
    assert u.client.call("Counter804/k/read", timeout=SLOW) == (200, 0)


def test_rst805_new_deployment_lets_in_flight_invocations_finish_on_the_old_code(upgrade):
    u = upgrade("RST805/invalid_operation_inserted")
    waiting = _waiting(u, "Shipping805a/ship", "o1")
    assert u.new_deployment()[0] == 201
    assert u.client.invocation(waiting)["status"] == "suspended"
    assert u.client.wait(waiting, "completed", timeout=SLOW)["completion_result"] == "success"


def test_rst805_in_place_update_mismatches_the_in_flight_journal(upgrade):
    u = upgrade("RST805/invalid_operation_inserted")
    waiting = _waiting(u, "Shipping805a/ship", "o1")
    _in_place_while_waiting(u, waiting)
    every_attempt_mismatches(u.client, waiting, "recorded the following: 'sleep'", timeout=SLOW)


def test_rst805_renamed_run_mismatches_in_place(upgrade):
    u = upgrade("RST805/invalid_run_renamed")
    waiting = _waiting(u, "RunName805/bill", "o1")
    _in_place_while_waiting(u, waiting)
    every_attempt_mismatches(u.client, waiting, "name: payment id != charge", timeout=SLOW)


def test_rst805_valid_appended_operation_replays_in_place(upgrade):
    u = upgrade("RST805/valid_appended_at_end")
    waiting = _waiting(u, "Shipping805c/ship", "o1")
    _in_place_while_waiting(u, waiting)
    assert u.client.wait(waiting, "completed", timeout=SLOW)["completion_result"] == "success"


def test_rst805_operation_removed_from_the_end_mismatches_in_place(upgrade):
    u = upgrade("RST805/invalid_removed_at_end")
    waiting = _waiting(u, "Tail805/run", "x")  # its journal holds the sleep the new code no longer has
    _in_place_while_waiting(u, waiting)
    every_attempt_mismatches(u.client, waiting, "attempts to perform the following: 'handler return'", timeout=SLOW)


@pytest.mark.parametrize("fixture, path, difference", [
    ("RST805/invalid_call_target_changed", "Signup805/welcome", "handler_name: email != sms"),
    ("RST805/invalid_send_target_changed", "Shop805/checkout", "service_name: Mailer805 != Courier805"),
], ids=["call", "send"])
def test_rst805_changed_call_target_mismatches_in_place(upgrade, fixture, path, difference):
    u = upgrade(fixture)
    waiting = _waiting(u, path, "x")  # the call or send journaled, then waiting in a sleep
    _in_place_while_waiting(u, waiting)
    every_attempt_mismatches(u.client, waiting, difference, timeout=SLOW)


def test_rst805_renamed_promise_mismatches_in_place_once_journaled(upgrade):
    u = upgrade("RST805/invalid_promise_renamed")
    waiting = u.client.send("Approval805/w1/run", "doc")
    u.client.wait(waiting, "suspended", timeout=SLOW)
    assert u.client.call("Approval805/w1/decide", "yes", timeout=SLOW)[0] == 200  # v1 resolves "approval"
    wait_until(lambda: any(e["entry_type"] == "Command: Sleep" for e in u.client.journal(waiting)), SLOW, "the sleep after the promise")
    u.client.wait(waiting, "suspended", timeout=SLOW)
    _in_place_while_waiting(u, waiting)
    every_attempt_mismatches(u.client, waiting, "key: approval != decision", timeout=SLOW)


@pytest.mark.parametrize("how", ["new", "in_place"])
def test_rst805_renamed_promise_leaves_a_workflow_waiting_on_the_old_name_suspended(upgrade, how):
    u = upgrade("RST805/invalid_promise_renamed")
    waiting = u.client.send("Approval805/w1/run", "doc")
    u.client.wait(waiting, "suspended", timeout=SLOW)
    if how == "new":
        assert u.new_deployment()[0] == 201  # the waiting workflow stays on v1's deployment
    else:
        _in_place_while_waiting(u, waiting)
    assert u.client.call("Approval805/w1/decide", "yes", timeout=SLOW)[0] == 200  # v2 (the newest) resolves "decision"
    time.sleep(3)  # what resolving it would wake has had the time to run
    assert u.client.invocation(waiting)["status"] == "suspended"
    last = u.client.journal(waiting)[-1]
    assert last["entry_type"] == "Command: GetPromise" and '"key":"approval"' in last["entry_json"], last


@pytest.mark.parametrize("how", ["new", "in_place"])
def test_rst806_renamed_key_starts_from_nothing(upgrade, how):
    u = upgrade("RST806/invalid_key_renamed")
    assert u.client.call("Visits806/k/visit", timeout=SLOW) == (200, 1)
    assert u.client.call("Visits806/k/visit", timeout=SLOW) == (200, 2)
    assert (u.new_deployment() if how == "new" else u.in_place())[0] in (200, 201)
    assert u.client.call("Visits806/k/visit", timeout=SLOW) == (200, 1)  # the 2 stored under "count" is not read


def test_rst806_changed_type_hint_reads_the_old_value_unchecked(upgrade):
    u = upgrade("RST806/invalid_type_changed")
    assert u.client.call("Wallet806/k/deposit", 5, timeout=SLOW) == (200, 5)
    assert u.new_deployment()[0] == 201
    # the stored 5 is a JSON number; `type_hint=str` does not convert or check it
    assert u.client.call("Wallet806/k/deposit", 5, timeout=SLOW) == (200, 10)


@pytest.mark.parametrize("fixture, path, old_body, error", [
    ("RST807/invalid_input_field_added", "Signup807a/register", {"email": "a@b"}, "KeyError('plan')"),
    ("RST807/invalid_input_type_changed", "Quote807/quote", 5, "TypeError"),
], ids=["RST807-field-added", "RST807-type-changed"])
def test_old_callers_payload_fails_every_attempt_on_the_new_code(upgrade, fixture, path, old_body, error):
    u = upgrade(fixture)
    assert u.client.call(path, old_body, timeout=SLOW)[0] == 200
    assert u.new_deployment()[0] == 201
    failures = u.client.paused_after(u.client.send(path, old_body), timeout=SLOW)
    assert all(error in f["error_message"] for f in failures), failures


NOT_PUBLIC = "the invoked service is not public"


@pytest.mark.parametrize("how", ["new", "in_place"])
def test_rst808_service_made_private_refuses_ingress_callers_and_lets_the_rest_run(upgrade, how):
    u = upgrade("RST808/invalid_service_made_private")
    waiting = _waiting(u, "Greeter808/greet", "w")
    resend = ("POST", f"{u.server.ingress}/Greeter808/greet/send", "i")
    assert http(*resend, headers={"idempotency-key": "k"})[0] == 202
    status, answer = u.client.call("Greeter808/greet/send?delay=10s", "d")  # accepted before v2, due after it
    assert status == 202, answer
    delayed = answer["invocationId"]
    assert (u.new_deployment() if how == "new" else u.in_place())[0] in (200, 201)  # no force needed
    for path in ("Greeter808/greet", "Greeter808/greet/send"):
        status, answer = u.client.call(path, "n", timeout=SLOW)
        assert status == 400 and NOT_PUBLIC in answer["message"], answer
    status, answer = http(*resend, headers={"idempotency-key": "k"})  # a client re-sending what it sent before
    assert status == 400 and NOT_PUBLIC in answer["message"], answer
    assert u.client.call("Front808/relay", "r", timeout=SLOW) == (200, "hi r")  # other services still call it
    for invocation in (waiting, delayed):
        assert u.client.wait(invocation, "completed", timeout=SLOW)["completion_result"] == "success"


def test_rst808_handler_made_private_refuses_ingress_callers_of_that_handler(upgrade):
    u = upgrade("RST808/invalid_handler_made_private")
    assert u.client.call("Accounts808/a/credit", 5, timeout=SLOW) == (200, 5)
    assert u.new_deployment()[0] == 201
    status, answer = u.client.call("Accounts808/a/credit", 5, timeout=SLOW)
    assert status == 400 and NOT_PUBLIC in answer["message"], answer
    assert u.client.call("Accounts808/a/balance", timeout=SLOW) == (200, 5)


def test_rst808_valid_retention_timeouts_and_lazy_state_changed_in_place(upgrade):
    u = upgrade("RST808/valid_other_options_changed")
    idempotent = {"idempotency-key": "k1"}
    assert http("POST", f"{u.server.ingress}/Cart808/c/add", "apple", timeout=SLOW, headers=idempotent) == (200, None)
    done = u.client.last("Cart808/c/add")
    waiting = _waiting(u, "Cart808/c/count_later", None)  # read with the state sent eagerly: v1 is not lazy
    _in_place_while_waiting(u, waiting)
    assert u.client.output(waiting, timeout=SLOW) == (200, 1)  # replayed with lazy state, reads the same
    assert http("POST", f"{u.server.ingress}/Cart808/c/add", "pear", timeout=SLOW, headers={"idempotency-key": "k2"}) == (200, None)
    retention = {r["id"]: r["completion_retention"] for r in u.server.sql("SELECT id, completion_retention FROM sys_invocation WHERE target = 'Cart808/c/add'")}
    assert retention.pop(done) == "PT86400S"  # kept as it was when the invocation ran
    assert list(retention.values()) == ["PT60S"]  # the new retention applies to new invocations
    assert http("POST", f"{u.server.ingress}/Cart808/c/add", "apple", timeout=SLOW, headers=idempotent) == (200, None)
    assert u.client.call("Cart808/c/count_later", timeout=SLOW) == (200, 2)  # the first request was not run again
