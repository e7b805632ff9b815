"""What Restate does at runtime when a rule's mistake runs: observed on a real server by the
tests in tests/oracle, or the reason no test shows it.

Each rule page's "What Restate does at runtime" section is `section(code)`, word for word; a test
(tests/test_runtime_outcomes.py) checks that, that the oracle tests named here exist, and that the
failure modes a rule's messages cite are ones observed here.
"""

from __future__ import annotations

from dataclasses import dataclass

SERVER = "restate-server 1.7.12"
SDK = "restate-sdk 1.3.0"

_PAUSED = (
    "Restate retries a failed attempt with exponential backoff (500 ms, doubling up to 1 min), and "
    "after 70 attempts, about an hour, it pauses the invocation: it stays paused until it is resumed "
    "or killed, and a paused virtual-object invocation keeps its key locked. Fixing the code is not "
    "enough: resume the paused invocations once the fix is deployed."
)
# what shows _PAUSED: the stock policy, a pause after the attempts, a key a paused invocation holds
_PAUSED_ORACLE = (
    "test_retries.py::test_default_policy_pauses_after_70_attempts",
    "test_retries.py::test_fails_every_attempt_then_pauses[RST203]",
    "test_retries.py::test_paused_exclusive_invocation_keeps_its_key_locked",
)
_OWN_COMMENTS = "this rule concerns the linter's own comments, which never reach Restate."


@dataclass(frozen=True)
class Runtime:
    observed: str  # paragraphs separated by blank lines; "- " starts a list item
    oracle: tuple[str, ...] = ()  # tests/oracle node ids ("test_file.py::test_name[id]") that show it
    reason: str = ""  # why no oracle test shows it

    def __post_init__(self) -> None:
        assert bool(self.oracle) != bool(self.reason), "an oracle test, or a reason for none"


def section(code: str) -> str:
    """The body of the rule page's "What Restate does at runtime" section."""
    runtime = RUNTIME[code]
    if runtime.oracle:
        shown_by = runtime.oracle + (_PAUSED_ORACLE if _PAUSED in runtime.observed else ())
        tests = ", ".join(f"`tests/oracle/{test}`" for test in dict.fromkeys(shown_by))
        source = f"Observed on {SERVER} with {SDK} by {tests}."
    else:
        source = f"Not run by the oracle: {runtime.reason}"
    return f"{runtime.observed}\n\n{source}"


RUNTIME: dict[str, Runtime] = {
    "RST101": Runtime(
        "A value that shapes a later durable operation is different on the replay, and the journal no "
        "longer matches: with `ctx.set(\"order_id\", uuid.uuid4().hex)` before a run, every replay fails "
        "with a journal mismatch (RT0016, SDK error 570, the differing value in the failure message). "
        "A value that reaches no durable operation fails nothing: it is computed again on each replay, "
        "so the handler silently works with another value than its first attempt did (a `time.time()` "
        "read before a run returned a time later than the run's journal entry).\n\n" + _PAUSED,
        ("test_replays.py::test_rst101_stored_uuid4_mismatches_on_every_replay",
         "test_replays.py::test_rst101_clock_read_outside_the_journal_is_read_again_on_replay",
         "test_replays.py::test_rst101_valid_ctx_uuid_survives_the_replay"),
    ),
    "RST102": Runtime(
        "The I/O runs again on every replay, and its result is never journaled: a URL fetched before a "
        "run was fetched twice for one invocation (the attempt, then the replay after the run), while the "
        "same fetch inside the run action happened once. When the answer decides later durable "
        "operations and changes, the replay no longer matches the journal (see RST103).",
        ("test_side_effects.py::test_rst102_io_outside_run_is_repeated_on_replay",
         "test_side_effects.py::test_rst102_valid_io_inside_run_happens_once"),
    ),
    "RST103": Runtime(
        "The condition is computed again on each replay, and when it comes out differently the handler "
        "issues other durable operations than its journal records. With a quiet period checked against "
        "`time.time()`, the first attempt journaled a sleep; the replay after it found the period over, "
        "skipped the sleep and issued the run where the journal has the sleep: a journal mismatch "
        "(RT0016, SDK error 570) on that and every later attempt, since the clock only moves on. The "
        "same check against `await ctx.time()` completed.\n\n" + _PAUSED,
        ("test_replays.py::test_rst103_clock_driven_branch_mismatches_on_every_retry",
         "test_replays.py::test_rst103_valid_journaled_time_takes_the_same_branch"),
    ),
    "RST104": Runtime(
        "A replay in a process whose hash seed orders the set differently issues the operations in "
        "another order than the journal: with two service instances (hash seeds 1 and 2) behind a "
        "round-robin balancer, the replays in the second one failed with a journal mismatch (RT0016, "
        "SDK error 570, both run names in the failure message). The sorted set journaled the same order "
        "in both instances, with no failure. Whether it fails depends on which process replays, so the "
        "bug is intermittent and rarely shows up in tests. The same holds for a list made from a set and "
        "journaled as a state value or a send's argument: the SDK compares them on replay and reported the "
        "mismatch with the two orders (\"Difference: value\" for `ctx.set`, \"parameter\" for a send); "
        "sorted, they agreed.",
        ("test_replays.py::test_rst104_set_order_differs_between_instances",
         "test_replays.py::test_rst104_valid_sorted_set_agrees_between_instances",
         "test_replays.py::test_rst104_set_order_in_a_state_value_differs_between_instances",
         "test_replays.py::test_rst104_set_order_in_a_send_argument_differs_between_instances",
         "test_replays.py::test_rst104_valid_sorted_payloads_agree_between_instances"),
    ),
    "RST105": Runtime(
        "Nothing fails by itself, but the state lives in one process: after `maintenance_on` set the "
        "flag, `submit` in that process failed with the handler's 503, while the same call to a new "
        "deployment process (another instance, or the service after a restart) stored the order. What "
        "the handler does depends on which process runs it.",
        ("test_replays.py::test_rst105_module_state_lives_in_one_process",),
    ),
    "RST106": Runtime(
        "What each kind does, as observed:\n\n"
        "- A `ctx.run` in a task started with `asyncio.create_task` never happens: when the handler "
        "suspends, the task's run raises error 598 (\"Execution is suspended, but the handler is still "
        "attempting to make progress\"), which only reaches the process's log (\"Task exception was "
        "never retrieved\"); the invocation completes normally, with no trace of the run in its journal.\n"
        "- `asyncio.sleep` keeps the invocation running where `ctx.sleep` suspends it.\n"
        "- `time.sleep` blocks the whole process: an invocation with no work of its own waited for it.\n"
        "- `asyncio.gather` over SDK futures worked: both runs completed.",
        ("test_concurrency.py::test_rst106_run_in_a_stray_task_never_happens",
         "test_concurrency.py::test_rst106_asyncio_sleep_keeps_the_invocation_running",
         "test_concurrency.py::test_rst106_valid_ctx_sleep_suspends",
         "test_concurrency.py::test_rst106_time_sleep_blocks_other_invocations_of_the_process",
         "test_concurrency.py::test_rst106_asyncio_gather_over_sdk_futures_works"),
    ),
    "RST107": Runtime(
        "The same as for the operation at the end of the chain (RST101, RST102, RST106). With a helper "
        "that returns `uuid.uuid4()`, stored before a run, every replay failed with a journal mismatch "
        "(RT0016, SDK error 570).\n\n" + _PAUSED,
        ("test_replays.py::test_rst107_helper_uuid4_mismatches_on_every_replay",),
    ),
    "RST109": Runtime(
        "Without the durable wrapper the model call is not journaled and is made again on every replay: "
        "an openai-agents `Runner.run(..)` followed by a run action asked the (local, fake) model twice for "
        "one invocation, on the attempt and on the replay after the run. So did `DurableRunner.run(..)` "
        "with an agent whose model is an `OpenAIChatCompletionsModel` object: its journal held no model "
        "step at all. `DurableRunner.run(..)` with a model name journaled the call as a run (`call LLM`), "
        "and the replay took the answer from the journal: the model was asked once.",
        ("test_agents.py::test_rst109_unwrapped_runner_calls_the_model_again_on_replay",
         "test_agents.py::test_rst109_model_object_bypasses_the_durable_runner",
         "test_agents.py::test_rst109_valid_durable_runner_journals_the_model_call"),
    ),
    "RST110": Runtime(
        "The wrapper replays the model's answers from the journal, so a replay asks for the same tools "
        "again, and their bodies run again: a `durable_function_tool` that fetched the weather outside a "
        "run action sent its request twice for one invocation, while the model was asked once per turn. "
        "With the request inside `restate_context().run_typed(..)` it was sent once.",
        ("test_agents.py::test_rst110_tool_io_runs_again_on_every_replay",
         "test_agents.py::test_rst110_valid_tool_journals_its_io"),
    ),
    "RST201": Runtime(
        "A context operation inside a run action is journaled from inside the action, and the replay, "
        "which skips the action, does not issue it again: with `await octx.get(..)` in the action, every "
        "replay after the run failed with a journal mismatch (RT0016, SDK error 570). A `ctx.run` nested "
        "in an action completed when the invocation went straight through, and hung when the server "
        "asked the invocation to suspend during the inner run: the inner run completed, the outer one "
        "never did, and the invocation stayed running with no failure recorded. A state read through an "
        "object holding the context (`state.total()` reading `self.ctx`) failed the same way.\n\n" + _PAUSED,
        ("test_replays.py::test_rst201_state_read_inside_a_run_mismatches_on_replay",
         "test_replays.py::test_rst201_nested_run_completes_when_quick_and_hangs_when_asked_to_suspend",
         "test_replays.py::test_rst201_state_read_through_a_wrapper_inside_a_run_mismatches_on_replay",
         "test_replays.py::test_rst201_valid_wrapper_used_outside_the_runs_survives_the_replays"),
    ),
    "RST202": Runtime(
        "An unawaited `ctx.run` / `ctx.run_typed` is journaled, but its action never runs: the journal "
        "holds the run entries and no run result, and the handler returns as if the work were done. An "
        "unawaited call is sent (the callee is invoked), but the handler never sees its result or its "
        "failure.",
        ("test_side_effects.py::test_rst202_unawaited_run_never_executes_its_action",
         "test_side_effects.py::test_rst202_valid_awaited_run_executes"),
    ),
    "RST203": Runtime(
        "Every attempt fails at the call with `TypeError: <coroutine object ...> is not a callable "
        "object`, a retryable error.\n\n" + _PAUSED,
        ("test_retries.py::test_fails_every_attempt_then_pauses[RST203]",
         "test_retries.py::test_valid_counterpart_completes[RST203]"),
    ),
    "RST204": Runtime(
        "Every attempt fails with `TypeError: Object of type coroutine is not JSON serializable`, a "
        "retryable error, and the real work is never done.\n\n" + _PAUSED,
        ("test_retries.py::test_fails_every_attempt_then_pauses[RST204]",
         "test_retries.py::test_valid_counterpart_completes[RST204]"),
    ),
    "RST205": Runtime(
        "The combinator raises `TerminalError(\"All futures must SDK created futures.\")`: the invocation "
        "fails at once, is not retried, and completes with that failure.",
        ("test_errors.py::test_rst205_foreign_awaitable_fails_the_invocation_terminally",
         "test_errors.py::test_rst205_valid_sdk_futures_complete"),
    ),
    "RST206": Runtime(
        "The handler works with future objects instead of values: adding two of them failed every "
        "attempt with `TypeError: unsupported operand type(s) for +: 'ServerCallDurableFuture' and "
        "'ServerCallDurableFuture'`, a retryable error; awaiting each item gave the right sum.\n\n" + _PAUSED,
        ("test_retries.py::test_fails_every_attempt_then_pauses[RST206]",
         "test_retries.py::test_valid_counterpart_completes[RST206]"),
    ),
    "RST207": Runtime(
        "With `max_retry_duration`, the limit is silently ignored: an action that always fails, limited "
        "to 1 ms, failed attempt after attempt until the invocation was paused, where the same limit as "
        "`max_duration` ended the run with a terminal failure. With `options=`, the action is called "
        "with an unexpected keyword: every attempt failed with `TypeError: ... got an unexpected keyword "
        "argument 'options'`, a retryable error.\n\n" + _PAUSED,
        ("test_retries.py::test_rst207_ignored_retry_limit_lets_the_run_fail_until_paused",
         "test_retries.py::test_rst207_valid_max_duration_fails_the_run_terminally",
         "test_retries.py::test_fails_every_attempt_then_pauses[RST207]",
         "test_retries.py::test_valid_counterpart_completes[RST207]"),
    ),
    "RST208": Runtime(
        "The action's exception is retried, not delivered: with a declined charge, every attempt failed "
        "with `PaymentDeclined` and the `except PaymentDeclined` clause never ran. Raised as "
        "`TerminalError`, the failure reached the handler, which answered \"declined\".\n\n" + _PAUSED,
        ("test_retries.py::test_fails_every_attempt_then_pauses[RST208]",
         "test_retries.py::test_valid_counterpart_completes[RST208]"),
    ),
    "RST209": Runtime(
        "The ingress call is not journaled (the journal holds no entry for it) and is made again on "
        "every replay: an ingress call before a run deposited twice. From an exclusive handler to its "
        "own key it deadlocks: the called invocation waits in the key's queue behind its caller. "
        "Cancelling the caller has no effect, since it never reaches a durable await; killing it frees "
        "the key, and the queued call then runs. Calls through the context are journaled.",
        ("test_keys.py::test_rst209_ingress_self_call_deadlocks_and_only_kill_frees_it",
         "test_keys.py::test_rst209_ingress_call_is_not_journaled_and_repeats_on_replay",
         "test_keys.py::test_rst209_valid_context_call_is_journaled"),
    ),
    "RST210": Runtime(
        "Nothing fails, the names lie: racing a one-day timer with a quick run, `pending, done = await "
        "restate.wait_completed(..)` put the finished run in `pending`; in the order the SDK returns "
        "them, `done, pending = ..`, it was in `done`. Code that then awaits `done` waits for what is "
        "still running, and code that drops `pending` drops the results.",
        ("test_errors.py::test_rst210_pending_gets_the_completed_futures",
         "test_errors.py::test_rst210_valid_names_in_order"),
    ),
    "RST212": Runtime(
        "A name the SDK lacks fails where it is read: with `isinstance(e, restate.vm.SuspendedException)` "
        "in an `except Exception` on restate-sdk 1.3.0, the handler's own `TerminalError` turned into "
        "`AttributeError: module 'restate.vm' has no attribute 'SuspendedException'`, a retryable "
        "error, on every attempt; the same handler guarded with `except AttributeError` completed.\n\n" + _PAUSED,
        ("test_retries.py::test_fails_every_attempt_then_pauses[RST212]",
         "test_retries.py::test_valid_counterpart_completes[RST212]"),
    ),
    "RST213": Runtime(
        "Arguments the SDK's signature rejects fail at the call: `restate.RunOptions(timeout=..)` on "
        "restate-sdk 1.3.0 raised `TypeError: ... got an unexpected keyword argument 'timeout'`, a "
        "retryable error, on every attempt; calls with the signature's own arguments completed.\n\n" + _PAUSED,
        ("test_retries.py::test_fails_every_attempt_then_pauses[RST213]",
         "test_retries.py::test_valid_counterpart_completes[RST213]"),
    ),
    "RST215": Runtime(
        "Durable calls made inside the wrapper's run action break the replay. With "
        "`RestateAgent(.., auto_wrap_tools=True)`, a tool's `service_call` was journaled inside the "
        "tool's run (`Calling track`), and the replay failed with a journal mismatch (SDK error 570, "
        "\"'await' could not be replayed\"); an event stream handler that wrote state failed the same way "
        "(RT0016, 570, at the wrapper's `run event`). Within seconds both invocations were paused. "
        "Without `auto_wrap_tools`, tools that journal their own steps with `run_typed` completed.",
        ("test_agents.py::test_rst215_durable_call_in_an_auto_wrapped_tool_mismatches_on_replay",
         "test_agents.py::test_rst215_state_write_in_an_auto_wrapped_stream_handler_mismatches_on_replay",
         "test_agents.py::test_rst215_valid_tools_journal_their_own_steps"),
    ),
    "RST301": Runtime(
        "The server rejects the state write with RT0017 (\"this handler type cannot write state\") on "
        "every attempt.\n\n" + _PAUSED,
        ("test_retries.py::test_fails_every_attempt_then_pauses[RST301]",
         "test_retries.py::test_valid_counterpart_completes[RST301]"),
    ),
    "RST302": Runtime(
        "The server rejects the state access with RT0017 (\"this service type doesn't have state "
        "access\") on every attempt. `ctx.key()` does not fail in a service: it returns `\"\"`.\n\n" + _PAUSED,
        ("test_retries.py::test_fails_every_attempt_then_pauses[RST302]",
         "test_retries.py::test_valid_counterpart_completes[RST302]",
         "test_retries.py::test_rst302_key_in_a_service_is_empty"),
    ),
    "RST303": Runtime(
        "Nothing, by itself. The annotation only affects static tools; the danger is the calls it lets "
        "through, which the server rejects with RT0017 (see RST301 and RST302).",
        reason="the SDK never reads the annotation, so a wrong one changes nothing a server could show.",
    ),
    "RST304": Runtime(
        "Every attempt fails with `TypeError: object str can't be used in 'await' expression` (the "
        "type is what the function returned), a retryable error.\n\n" + _PAUSED,
        ("test_retries.py::test_fails_every_attempt_then_pauses[RST304]",
         "test_retries.py::test_valid_counterpart_completes[RST304]",
         "test_retries.py::test_paused_exclusive_invocation_keeps_its_key_locked"),
    ),
    "RST305": Runtime(
        "What each mistake does, as observed:\n\n"
        "- Without the call, the handler is not registered: the ingress answers 404 for it, while the "
        "service's other handlers work.\n"
        "- No parameters, or a duplicate handler name: the SDK raises `ValueError` when the module is "
        "imported (\"Handler must have at least one parameter\", \"Handler status already exists in "
        "Orders\"), so the deployment never starts.\n"
        "- More than two parameters: the SDK calls the handler with the context only, and every attempt "
        "fails with `TypeError: ... missing 2 required positional arguments`, until the invocation is "
        "paused (as below).\n"
        "- Names that do not match Restate's patterns: the server rejects the deployment at registration.\n"
        "- A workflow with no `main()`, or two, is accepted at registration; with two, only the first "
        "one called for a workflow id runs, and a call to the other gets 409.\n\n" + _PAUSED,
        ("test_definitions.py::test_rst305_decorator_without_call_leaves_the_handler_unregistered",
         "test_definitions.py::test_module_refused_at_import_never_deploys[RST305-parameters]",
         "test_definitions.py::test_module_refused_at_import_never_deploys[RST305-duplicates]",
         "test_retries.py::test_fails_every_attempt_then_pauses[RST305]",
         "test_definitions.py::test_rst305_invalid_names_are_rejected_at_registration",
         "test_definitions.py::test_rst305_workflow_with_two_mains_runs_only_the_first_called",
         "test_definitions.py::test_rst305_valid_definitions_register_and_answer"),
    ),
    "RST306": Runtime(
        "The SDK accepts the call and the server runs it for the empty key: `ctx.service_call(add, "
        "arg=..)` to a virtual-object handler returned `\"\"` from `ctx.key()`, and the invocation's "
        "target was `Cart//add`; `ctx.object_call(add, key=\"cart-1\", ..)` ran for `cart-1`. State "
        "written by such calls lands on the object with the empty key, shared by every caller.",
        ("test_keys.py::test_rst306_service_call_to_an_object_handler_runs_for_the_empty_key",
         "test_keys.py::test_rst306_valid_object_call_runs_for_its_key"),
    ),
    "RST401": Runtime(
        "The invocation suspends and keeps the key locked for the whole wait: a call to the same key "
        "waited in the queue until the sleeping invocation finished, while a shared handler of the key "
        "answered at once. A sleep in a shared handler left the key free. An exclusive handler that "
        "raced an awakeable nobody resolved against `ctx.sleep(timedelta(seconds=0))` returned the "
        "timer's branch without waiting.",
        ("test_keys.py::test_rst401_sleep_in_exclusive_handler_queues_the_next_call",
         "test_keys.py::test_rst401_valid_sleep_in_shared_handler_leaves_key_free",
         "test_keys.py::test_rst401_valid_race_with_a_timer_of_no_length_ends_at_once"),
    ),
    "RST402": Runtime(
        "Deadlock: the caller suspends waiting for the response, and the callee waits in the key's "
        "queue behind it; neither moved while watched, and a later call to the key queued too. Only "
        "killing the caller freed the key. A call to another key completed.",
        ("test_keys.py::test_rst402_self_call_deadlocks_the_key",
         "test_keys.py::test_rst402_valid_call_to_other_key_completes"),
    ),
    "RST403": Runtime(
        "When the keys meet (a full truck hands the parcel back to the warehouse that is waiting for "
        "it), each invocation in the cycle is suspended waiting for the next one and the call that "
        "closes the cycle waits in the key's queue: a deadlock. Nothing moved while watched; the keys "
        "stay locked until the invocations are killed (see RST402). Closed through a shared handler, "
        "the same loop of calls completed.",
        ("test_keys.py::test_rst403_call_cycle_deadlocks_when_keys_meet",
         "test_keys.py::test_rst403_valid_shared_getter_closes_no_cycle"),
    ),
    "RST404": Runtime(
        "Nothing fails. The invocation stays open (suspended) for the whole delay, and in an exclusive "
        "virtual-object handler the key is locked for that time, so other calls to it wait.",
        reason="an info rule about holding an invocation open; that a waiting exclusive handler holds "
        "its key is RST401's oracle test.",
    ),
    "RST405": Runtime(
        "Nothing fails. If the awakeable or promise is never completed, the invocation stays suspended "
        "forever; in an exclusive virtual-object handler it also keeps the key locked (RST401).",
        reason="an info rule; a wait that never ends cannot be watched to its end.",
    ),
    "RST501": Runtime(
        "At a suspension the except block runs for real: when a call suspends the handler, the "
        "suspension lands in `except:`, which returns, and the SDK rejects that return with error "
        "598 (\"Execution is suspended, but the handler is still attempting to make progress (calling "
        "'handler return')\"), shown only in the deployment's log. The invocation then resumes and "
        "completes with the call's result. With the `is_internal_exception` guard, no 598 is logged.",
        ("test_errors.py::test_rst501_bare_except_runs_at_the_suspension",
         "test_errors.py::test_rst501_valid_guard_lets_the_suspension_through"),
    ),
    "RST502": Runtime(
        "A cancelled invocation completes as a success: cancelling a payment handler while it waited for "
        "a fraud check made the check fail with `[409] cancelled`, `except Exception` swallowed it, and the "
        "handler went on to charge the card and returned the charge; re-raising `TerminalError` first, "
        "the cancelled invocation failed with `[409] cancelled`. When the except block raises an error of its "
        "own instead, the cancellation is replaced by it: a cancelled handler that raised a plain exception in "
        "its place was retried (backing off, then paused) rather than ending. A journal mismatch (RT0016) is "
        "not hidden, though: caught by `except Exception`, it still failed every attempt (SDK error "
        "570). For restate-sdk < 0.11, whose suspension derives from `Exception`, the except block also "
        "catches suspensions (see RST501); the oracle runs only restate-sdk 1.3.0.\n\n" + _PAUSED,
        ("test_errors.py::test_rst502_cancelled_invocation_completes_as_success",
         "test_errors.py::test_rst502_valid_terminal_error_guard_lets_the_cancellation_through",
         "test_errors.py::test_rst502_swallowed_journal_mismatch_still_fails_the_attempt",
         "test_errors.py::test_rst502_cancellation_replaced_by_another_error_is_retried"),
    ),
    "RST503": Runtime(
        "Every attempt fails the same way: a payment handler that rejected an amount of 0 with "
        "`ValueError(\"amount must be positive\")` failed attempt after attempt with that error until "
        "the invocation was paused; with `TerminalError(..., status_code=400)` it failed once, for good, "
        "with `[400] amount must be positive`, and was never retried.\n\n" + _PAUSED,
        ("test_retries.py::test_fails_every_attempt_then_pauses[RST503]",
         "test_errors.py::test_rst503_valid_terminal_error_fails_the_invocation_once"),
    ),
    "RST504": Runtime(
        "A cancellation becomes a tool result: cancelling the invocation while an `@function_tool` tool "
        "waited on an awakeable raised `TerminalError` 409 in the tool, the agents SDK turned it into an "
        "error text for the model, the agent asked the model again, and the cancelled invocation "
        "completed as a success. A tool whose errors are raised (`function_tool(failure_error_function="
        "None)`) let the cancellation through: the invocation failed with `[409] cancelled`.",
        ("test_agents.py::test_rst504_function_tool_turns_the_cancellation_into_text",
         "test_agents.py::test_rst504_valid_raising_tool_lets_the_cancellation_through"),
    ),
    "RST601": Runtime(
        "Nothing fails, but the lines repeat: a line logged with a `logging.getLogger` logger before a "
        "run was printed twice for one invocation (the attempt, then the replay after the run), so an "
        "operation that ran once appears to have run several times. With `restate.getLogger`, whose "
        "`RestateLoggingFilter` drops records while the SDK replays, it was printed once. A line after the "
        "handler's last journaled operation was printed once even with a plain logger and `print`: the "
        "replay ends where the journal ends. A `print` between `ctx.awakeable()` and the await of its "
        "future, with nothing journaled in between, was printed twice: the invocation suspended at the "
        "await, and the replay once the awakeable was resolved ran the line again. So was a line logged "
        "between a call to a virtual object and the await of its result. A `print` after the "
        "awakeable's await was printed once.",
        ("test_side_effects.py::test_rst601_plain_logger_repeats_its_lines_on_replay",
         "test_side_effects.py::test_rst601_valid_restate_logger_drops_the_replayed_line",
         "test_side_effects.py::test_rst601_valid_output_after_the_last_operation_is_not_replayed",
         "test_side_effects.py::test_rst601_output_before_an_awaited_future_repeats_once_it_completes",
         "test_side_effects.py::test_rst601_valid_output_after_the_awaited_awakeable_is_not_replayed"),
    ),
    "RST701": Runtime(
        "Nothing fails, but the values are predictable. Without its opt-in "
        "`experimental_enable_unique_random_seeds`, restate-server 1.7 seeds an invocation's "
        "`ctx.random()` and `ctx.uuid()` with a hash (SipHash-1-3, fixed keys) of the invocation id, "
        "which a caller that sends gets back and the admin API lists: the oracle recomputed an API key "
        "made with `ctx.uuid()` and a password drawn with `ctx.random()` from the invocation id alone.",
        ("test_identities.py::test_rst701_api_key_and_password_follow_from_the_invocation_id",),
    ),
    "RST702": Runtime(
        "Nothing fails. Restate deduplicates the call by its key in addition to the journal; a second "
        "call with the same key, even from another invocation, returns the first call's result instead "
        "of running the target again.",
        reason="an info rule about redundant code, not a failure.",
    ),
    "RST801": Runtime(
        "The server accepts a new deployment without the service (no force needed, and the dry run "
        "says nothing): the service stays registered on the old deployment, which goes on serving it, "
        "and an invocation waiting when the new code was registered completes there. Updated in place "
        "(the old deployment pointed at the new code), the waiting invocation fails on every attempt "
        "(RT0012, the deployment answers 404) until it is paused, and new calls get 404 from the "
        "ingress: so do they once the old deployment is removed.",
        oracle=("test_compat.py::test_rst801_removed_service_new_deployment_is_accepted_and_the_old_one_keeps_serving_it",
                "test_compat.py::test_rst801_removed_service_in_place_fails_its_invocations"),
    ),
    "RST802": Runtime(
        "The server accepts a new deployment without the handler (no force needed). An invocation "
        "already waiting finishes on the old deployment, but new calls get 404 from the ingress, and a "
        "delayed send scheduled before the deploy that starts after it goes to the new deployment and "
        "fails on every attempt (RT0012, 404) until it is paused. Updated in place, the waiting "
        "invocation fails the same way.",
        oracle=("test_compat.py::test_rst802_removed_handler_new_deployment_is_accepted_and_new_calls_get_404",
                "test_compat.py::test_rst802_removed_handler_in_place_fails_its_invocations"),
    ),
    "RST803": Runtime(
        "The server refuses the new deployment with 409 (META0006, \"Service type cannot be changed "
        "across revisions\"), also in a dry run. Registered with `breaking`, or updated in place with "
        "`overwrite`, it is accepted, and the old callers' path (`/Profile803/show` for a service now "
        "a virtual object) gets 400 from the ingress.",
        oracle=("test_compat.py::test_rst803_service_type_change_is_refused_without_breaking",
                "test_compat.py::test_rst803_service_type_change_in_place_is_accepted"),
    ),
    "RST804": Runtime(
        "Nothing is refused: the server accepts the handler's new kind as a new deployment and in "
        "place, and the handler answers.",
        oracle=("test_compat.py::test_rst804_kind_change_is_accepted_both_ways[new]", "test_compat.py::test_rst804_kind_change_is_accepted_both_ways[in_place]"),
    ),
    "RST805": Runtime(
        "Registered as a new deployment, the change is safe for invocations in flight: one waiting in a "
        "sleep when the new code was registered completes on the old deployment. Updated in place, it "
        "replays its journal against the new code and every attempt fails with a journal mismatch "
        "(RT0016, SDK error 570: \"The previous execution ran and recorded the following: 'sleep'\", the "
        "new code attempts a run) until it is paused; so does a run whose name changed (\"Difference: name: "
        "payment id != charge\"). So does an operation removed from the end: the "
        "new code returns where the journal recorded a sleep (\"attempts to perform the following: "
        "'handler return'\"). So does a call whose target changed (a call to `Notify805/email` replayed "
        "as one to `sms`: \"handler_name: email != sms\"), a send to another service (\"service_name: "
        "Mailer805 != Courier805\"), and a renamed workflow promise whose value is journaled (\"key: "
        "approval != decision\"). A workflow still waiting on the old promise name does not fail but is "
        "never resolved, whether the new code is registered as a new deployment or in place: the new "
        "code's shared handler (the newest deployment serves it) resolves the new name, and the workflow "
        "stays suspended on the promise its journal names. "
        "Updated in place, an operation appended at the end replays and completes.",
        oracle=("test_compat.py::test_rst805_new_deployment_lets_in_flight_invocations_finish_on_the_old_code",
                "test_compat.py::test_rst805_in_place_update_mismatches_the_in_flight_journal",
                "test_compat.py::test_rst805_renamed_run_mismatches_in_place",
                "test_compat.py::test_rst805_valid_appended_operation_replays_in_place",
                "test_compat.py::test_rst805_operation_removed_from_the_end_mismatches_in_place",
                "test_compat.py::test_rst805_changed_call_target_mismatches_in_place[call]",
                "test_compat.py::test_rst805_changed_call_target_mismatches_in_place[send]",
                "test_compat.py::test_rst805_renamed_promise_mismatches_in_place_once_journaled",
                "test_compat.py::test_rst805_renamed_promise_leaves_a_workflow_waiting_on_the_old_name_suspended[new]",
                "test_compat.py::test_rst805_renamed_promise_leaves_a_workflow_waiting_on_the_old_name_suspended[in_place]"),
    ),
    "RST806": Runtime(
        "Nothing fails, either way the new code is deployed. A renamed key starts from nothing: a counter "
        "at 2 under the old key counts 1 again under the new one, and the old value stays stored, unread. "
        "A changed `type_hint` is not checked by the default serde: the new code reading `type_hint=str` "
        "got the int the old code stored.",
        oracle=("test_compat.py::test_rst806_renamed_key_starts_from_nothing[new]", "test_compat.py::test_rst806_renamed_key_starts_from_nothing[in_place]",
                "test_compat.py::test_rst806_changed_type_hint_reads_the_old_value_unchecked"),
    ),
    "RST807": Runtime(
        "The server accepts the new deployment (it does not compare input types). An old caller's "
        "payload then fails in the new code on every attempt until the invocation is paused: a "
        "`KeyError` for a required TypedDict field the old payload lacks, a `TypeError` for an `int` "
        "where the new code indexes a `dict`.",
        oracle=("test_compat.py::test_old_callers_payload_fails_every_attempt_on_the_new_code[RST807-field-added]",
                "test_compat.py::test_old_callers_payload_fails_every_attempt_on_the_new_code[RST807-type-changed]"),
    ),
    "RST808": Runtime(
        "The server accepts the registration without force, as a new deployment and in place. From then "
        "on the ingress answers 400 (\"the invoked service is not public\") to calls and sends to the "
        "private service or handler, also to a client re-sending an idempotency key it used before, and also while the old deployment is still registered: the service's "
        "newest revision decides. Calls from other services still answer, and an invocation waiting in a "
        "sleep and a delayed send accepted before the change both complete.\n\n"
        "The other options are not compared, because changing them breaks neither invocations in flight "
        "nor callers: updated in place with a shorter idempotency retention, a journal retention, other "
        "inactivity and abort timeouts and lazy state turned on, a shared handler waiting in a sleep "
        "replayed on the new code and read the state the old code stored; an invocation that completed "
        "before keeps the retention it ran with (`completion_retention` PT86400S, one day), a new one gets "
        "the new one (PT60S), and re-sending the first one's idempotency key did not run it again.",
        oracle=("test_compat.py::test_rst808_service_made_private_refuses_ingress_callers_and_lets_the_rest_run[new]",
                "test_compat.py::test_rst808_service_made_private_refuses_ingress_callers_and_lets_the_rest_run[in_place]",
                "test_compat.py::test_rst808_handler_made_private_refuses_ingress_callers_of_that_handler",
                "test_compat.py::test_rst808_valid_retention_timeouts_and_lazy_state_changed_in_place"),
    ),
    "RST900": Runtime("Nothing.", reason=_OWN_COMMENTS),
    "RST901": Runtime("Nothing.", reason=_OWN_COMMENTS),
    "RST999": Runtime(
        "Nothing reaches Restate: importing the module raises `SyntaxError`, so the deployment never "
        "starts and its handlers are never registered.",
        ("test_definitions.py::test_module_refused_at_import_never_deploys[RST999]",),
    ),
}
