"""Virtual-object keys: an exclusive invocation that waits holds its key; calls on the key queue."""

import time

STUCK = 2.0  # seconds a deadlock is watched before the test says it is one


def test_rst401_sleep_in_exclusive_handler_queues_the_next_call(deploy, client, key):
    deploy("RST401/invalid_sleep_in_exclusive_handler.py")
    refill = client.send(f"RateLimiter/{key}/refill", 5)  # sleeps 500 ms holding the key
    client.wait(refill, "suspended")
    acquire = client.send(f"RateLimiter/{key}/acquire", 1)
    status, available = client.call(f"RateLimiter/{key}/peek")  # shared handlers still run
    assert (status, available) == (200, 0)
    assert client.output(acquire) == (200, True)
    refilled, acquired = client.invocation(refill), client.invocation(acquire)
    # sent while the refill slept, it ran only once the refill had finished
    assert acquired["created_at"] < refilled["completed_at"] <= acquired["running_at"]


def test_rst401_valid_sleep_in_shared_handler_leaves_key_free(deploy, client, key):
    deploy("RST401/valid_sleep_in_shared_handler.py")
    waiting = client.send(f"PriceCache/{key}/wait_for_price")  # sleeps in a shared handler
    client.wait(waiting, "suspended")
    assert client.call(f"PriceCache/{key}/update", 9.5) == (200, None)
    assert client.output(waiting) == (200, 9.5)


def test_rst401_valid_race_with_a_timer_of_no_length_ends_at_once(deploy, client, key):
    deploy("RST401/valid_peek_with_a_timer_of_no_length.py")
    assert client.call(f"AgentSessions/{key}/poll") == (200, "nothing new")  # nobody resolved the awakeable
    assert client.call(f"AgentSessions/{key}/poll_again") == (200, "nothing new")


def _deadlocked(client, caller: str, callee_target: str) -> None:
    """Assert `caller` stays suspended while a call to `callee_target` stays queued."""
    client.wait(caller, "suspended")
    callee = client.find(callee_target, "pending")
    time.sleep(STUCK)
    assert client.invocation(caller)["status"] == "suspended"
    assert client.invocation(callee)["status"] == "pending"


def test_rst402_self_call_deadlocks_the_key(deploy, client, key):
    deploy("RST402/invalid_self_call_ctx_key.py")
    withdraw = client.send(f"Account/{key}/withdraw", {"pin": "1234", "amount": 5})
    _deadlocked(client, withdraw, f"Account/{key}/verify")
    later = client.send(f"Account/{key}/verify", "1234")  # every later call queues too
    time.sleep(0.5)
    assert client.invocation(later)["status"] == "pending"
    client.kill(withdraw)  # only killing the caller frees the key
    assert client.output(later) == (200, False)


def test_rst402_valid_call_to_other_key_completes(deploy, client, key):
    deploy("RST402/valid_call_to_other_key.py")
    assert client.call(f"Account/{key}/deposit", 10) == (200, 10)
    assert client.call(f"Account/{key}/transfer", {"amount": 4, "to": f"{key}-2"}) == (200, 6)
    assert client.call(f"Account/{key}-2/deposit", 0) == (200, 4)


def test_rst403_call_cycle_deadlocks_when_keys_meet(deploy, client, key):
    deploy("RST403/invalid_single_file_cycle.py")
    truck = f"{key}-truck"
    for parcel in range(20):  # fill the truck: the next load hands the parcel back to the warehouse
        assert client.call(f"Truck/{truck}/load", {"parcel": parcel, "warehouse": key}) == (200, "loaded")
    ship = client.send(f"Warehouse/{key}/ship", {"parcel": 20, "truck": truck})
    client.wait(ship, "suspended")
    load = client.find(f"Truck/{truck}/load", "suspended")  # the truck waits for the warehouse
    _deadlocked(client, load, f"Warehouse/{key}/ship")  # which waits for the truck
    assert client.invocation(ship)["status"] == "suspended"


def test_rst403_valid_shared_getter_closes_no_cycle(deploy, client, key):
    deploy("RST403/valid_two_objects_shared_getter")
    assert client.call(f"Player/{key}/join_match", f"{key}-match") == (200, [{"id": key, "rating": 1000}])


def test_rst209_ingress_self_call_deadlocks_and_only_kill_frees_it(deploy, client, server, key):
    deploy("RST209/invalid_self_call_through_ingress.py", env={"RESTATE_INGRESS_URL": server.ingress})
    top_up = client.send(f"Wallet/{key}/top_up", 5)
    deposit = client.find(f"Wallet/{key}/deposit", "pending")  # queued behind its own caller
    client.cancel(top_up)  # the handler never reaches a durable await, so it never sees the cancel
    time.sleep(STUCK)
    assert client.invocation(top_up)["status"] == "running"
    assert client.invocation(deposit)["status"] == "pending"
    client.kill(top_up)
    assert client.output(deposit) == (200, 5)


def test_rst209_ingress_call_is_not_journaled_and_repeats_on_replay(deploy, client, server, key):
    deploy("RST209/invalid_self_call_through_ingress.py", replays=True, env={"RESTATE_INGRESS_URL": server.ingress})
    assert client.call(f"Wallet/{key}/transfer", {"to": f"{key}-2", "amount": 5}) == (200, 10)  # deposited twice
    entries = [e["entry_type"] for e in client.journal(client.last(f"Wallet/{key}/transfer"))]
    assert entries == ["Command: Input", "Command: Run", "Notification: Run", "Command: Output"]


def test_rst209_valid_context_call_is_journaled(deploy, client, key):
    deploy("RST209/valid_context_calls_instead.py")
    assert client.call("Onboarding/onboard", {"client_id": key, "name": "Ada"}) == (200, key)
    entries = [e["entry_type"] for e in client.journal(client.last("Onboarding/onboard"))]
    assert "Command: Call" in entries and "Command: OneWayCall" in entries


def test_rst306_service_call_to_an_object_handler_runs_for_the_empty_key(deploy, client):
    deploy("RST306/invalid_service_call_to_object.py")
    assert client.call("Shop/buy", "apple") == (200, "")  # Cart/add ran, for the key ""
    assert client.last("Cart//add")


def test_rst306_valid_object_call_runs_for_its_key(deploy, client):
    deploy("RST306/valid_keyed_calls.py")
    assert client.call("Shop/buy", "apple") == (200, "cart-1")
