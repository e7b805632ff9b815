"""Every rule's metadata: code, name, severity, fix kind and summary. Codes are a public contract.

Kept apart from the checks (rules/) so that what only needs the metadata (settings, output, a
fully cached run) does not import libcst.
"""

from __future__ import annotations

from dataclasses import dataclass

from restate_lint.diagnostics import Severity

FIX_KINDS = ("safe", "unsafe", "safe/unsafe", "none")
DOCS_URL = "https://github.com/restate-lint/restate-lint/blob/main/docs/rules/{code}.md"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    fix: str  # one of FIX_KINDS
    summary: str

    @property
    def default_enabled(self) -> bool:
        return self.severity is not Severity.INFO

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)


RULES: dict[str, Rule] = {}


def define(code: str, name: str, severity: str, fix: str, summary: str) -> Rule:
    assert code not in RULES, code
    assert fix in FIX_KINDS, fix
    rule = RULES[code] = Rule(code, name, Severity.from_letter(severity), fix, summary)
    return rule


define("RST101", "nondeterministic-call", "E", "safe/unsafe", "non-deterministic call in durable code outside a run action")
define("RST102", "io-outside-run", "E", "unsafe", "I/O in durable code outside a run action")
define("RST103", "nondeterministic-control-flow", "E", "none", "non-deterministic value decides control flow or a journal entry")
define("RST104", "unordered-iteration", "E", "unsafe", "loop over a set issues durable operations")
define("RST105", "mutable-global-state", "W", "none", "durable code mutates or branches on module-level state")
define("RST106", "native-concurrency", "E", "safe/unsafe", "asyncio/threading primitives in durable code")
define("RST107", "transitive-nondeterminism", "E", "none", "call to a project function that reaches a non-deterministic, I/O or concurrency API")
define("RST109", "agent-run-without-durable-wrapper", "E", "none", "agent run in durable code without the integration's durable wrapper: model calls are not journaled")
define("RST110", "tool-side-effect-outside-run", "W", "none", "agent tool does I/O outside a run action where the integration does not journal tool calls")
define("RST201", "context-in-run", "E", "none", "Restate context used inside a run action")
define("RST202", "unawaited-durable-op", "E", "safe", "durable operation whose future is never awaited")
define("RST203", "run-action-not-callable", "E", "safe", "run action is a call result, not a callable")
define("RST204", "run-action-returns-coroutine", "E", "safe", "run action returns an un-awaited coroutine")
define("RST205", "foreign-awaitable-in-combinator", "E", "none", "non-SDK awaitable given to a Restate combinator")
define("RST206", "gather-result-used-as-value", "E", "none", "futures from restate.gather used as values")
define("RST207", "run-options-misuse", "E", "safe", "RunOptions passed in a way the SDK ignores")
define("RST208", "unreachable-except-around-run", "W", "none", "except clause around ctx.run that can never match")
define("RST209", "ingress-client-in-handler", "W", "none", "Restate ingress called from durable code")
define("RST210", "wait-completed-names-swapped", "W", "none", "results of restate.wait_completed unpacked under swapped names")
define("RST212", "unknown-sdk-api", "E", "none", "restate name, import or context method the target restate-sdk version does not have")
define("RST213", "sdk-call-signature-mismatch", "E", "none", "SDK call with arguments the target restate-sdk version rejects")
define("RST215", "context-in-journaled-tool", "E", "none", "Restate context used in a tool or stream handler the integration runs inside a run action")
define("RST301", "state-write-in-shared-handler", "E", "none", "state written from a shared handler")
define("RST302", "api-not-available-for-service-type", "E", "none", "context API the handler's service type does not have")
define("RST303", "context-annotation-mismatch", "W", "safe", "context annotation does not match the handler kind")
define("RST304", "sync-handler", "E", "safe", "handler declared with def instead of async def")
define("RST305", "malformed-handler-definition", "E", "safe", "handler or service definition Restate rejects")
define("RST306", "keyless-call-to-keyed-handler", "E", "none", "service_call/service_send aimed at a virtual-object or workflow handler")
define("RST401", "blocking-wait-in-exclusive-handler", "W", "none", "exclusive virtual-object handler waits on a timer, awakeable, promise or other invocation")
define("RST402", "self-call-deadlock", "E", "none", "exclusive handler calls its own object and key and waits")
define("RST403", "exclusive-call-cycle", "E", "none", "cycle of request-response calls between exclusive virtual-object handlers")
define("RST404", "sleep-then-send", "I", "none", "sleep directly followed by a one-way send")
define("RST405", "wait-without-timeout", "I", "none", "awakeable or promise awaited without a timeout")
define("RST501", "broad-except-catches-suspension", "E", "unsafe", "catch-all except around durable operations catches suspension")
define("RST502", "except-exception-swallows-terminal", "W", "unsafe", "except Exception around durable operations swallows cancellation and terminal errors")
define("RST503", "retryable-error-on-input", "W", "none", "non-terminal exception raised on the handler's input outside a run action")
define("RST504", "tool-error-handler-swallows-terminal", "W", "none", "agent tool error handler turns Restate's terminal errors and cancellation into text for the model")
define("RST601", "non-replay-aware-logging", "I", "safe", "print or unfiltered logger in durable code")
define("RST701", "deterministic-id-as-secret", "W", "none", "ctx.uuid()/ctx.random() value used as a secret")
define("RST702", "redundant-idempotency-key", "I", "none", "idempotency_key= on a call made from a handler")
define("RST801", "removed-service", "E", "none", "a service of the old version is gone from the new one")
define("RST802", "removed-handler", "E", "none", "a handler of the old version is gone from the new one")
define("RST803", "service-type-changed", "E", "none", "a service changed its type (Service, VirtualObject, Workflow)")
define("RST804", "handler-kind-changed", "W", "none", "a handler changed its kind (exclusive, shared, workflow main)")
define("RST805", "journal-shape-changed", "W", "none", "a handler's durable operations changed other than by appending at the end")
define("RST806", "state-key-changed", "W", "none", "a state key was renamed or is read as another type")
define("RST807", "handler-type-changed", "W", "none", "a handler's input or output type changed incompatibly")
define("RST808", "ingress-made-private", "W", "none", "a service or handler the ingress could call is `ingress_private` in the new version")
define("RST900", "unused-suppression", "W", "safe", "suppression comment that suppressed nothing")
define("RST901", "suppression-without-reason", "I", "none", "ignore comment without a reason")
define("RST999", "syntax-error", "E", "none", "file cannot be parsed")

# Reported by the check stage after suppressions are applied: a suppression comment does not hide them.
UNSUPPRESSIBLE = frozenset({"RST900", "RST901", "RST999"})

# The family of each rule (RULES.md's sections), by the code's hundred: SARIF's rule tag.
FAMILIES = {"RST1": "determinism", "RST2": "context", "RST3": "definitions", "RST4": "concurrency", "RST5": "error-handling", "RST6": "observability", "RST7": "idempotency", "RST8": "deployment", "RST9": "suppression"}
FAMILY_OF = {"RST701": "security", "RST999": "syntax"}


def family(code: str) -> str:
    return FAMILY_OF.get(code) or FAMILIES[code[:4]]


# How often a finding is right (SARIF's `precision`: very-high, high, medium, low), from the
# findings on real Restate code (the examples, ai-examples and sdk-python repositories, every
# rule selected; judged one by one: see the closing note of issue 12). Rules with no finding
# there are rated from their fixtures and the oracle: high.
PRECISION = {
    "RST101": "very-high",  # 1 of 1 true
    "RST103": "very-high",  # 1 of 1 true
    "RST105": "very-high",  # 4 of 4 true (test services that mean it)
    "RST107": "high",  # 6 of 7 true, 1 debatable (an environment variable read through a helper)
    "RST207": "very-high",  # 1 of 1 true
    "RST303": "very-high",  # 4 of 4 true
    "RST401": "medium",  # 15 of 15 true as stated, most of them waits the code means to make
    "RST402": "very-high",  # 2 of 2 true
    "RST404": "very-high",  # 1 of 1 true
    "RST405": "medium",  # 31 true as stated; a timeout is often not wanted
    "RST601": "high",  # 40 true as stated
    "RST701": "medium",  # 3 of 3 debatable: the uuid is a confirmation secret, recomputable only from the invocation id
    "RST702": "low",  # 3 of 3 debatable: keys forwarded on purpose, to deduplicate across invocations
}


def precision(code: str) -> str:
    return PRECISION.get(code, "high")
