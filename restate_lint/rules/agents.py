"""RST109, RST110, RST215, RST504: agents run on Restate through the SDK's integrations
(`restate.ext.openai`, `.adk`, `.langchain`, `.pydantic`; what each journals: model/agents.py)."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from restate_lint.analysis.effects import Effects, function_sites
from restate_lint.analysis.summarise import site_index
from restate_lint.catalogue import IO
from restate_lint.diagnostics import Finding
from restate_lint.model import sdk
from restate_lint.model.agents import ADK, LANGCHAIN, OPENAI, OPENAI_TOOLS, PYDANTIC, ADK_TOOL_ERROR_CALLBACK, AgentRun, awaits_durable, integrations
from restate_lint.model.module import CallSite, ModuleModel
from restate_lint.model.scope import Function
from restate_lint.rules.base import check
from restate_lint.registry import RULES

RST109 = RULES["RST109"]
RST110 = RULES["RST110"]
RST215 = RULES["RST215"]
RST504 = RULES["RST504"]

_WRAPPER = {
    OPENAI: "run it with `DurableRunner.run(..)` from `restate.ext.openai`",
    PYDANTIC: "wrap the agent in `RestateAgent(agent)` from `restate.ext.pydantic` and run that",
    LANGCHAIN: "create it with `langchain.agents.create_agent(.., middleware=[RestateMiddleware()])` (`restate.ext.langchain`)",
    ADK: "add `plugins=[RestatePlugin()]` (`restate.ext.adk`) to the `Runner` or to the `App` it runs",
}
_REPLAY = "so every replay calls the model again, and when its answer differs the agent takes other steps than the journal records"


# -- RST109 ---------------------------------------------------------------------------------------
@check(RST109)
def agent_run_without_durable_wrapper(model: ModuleModel, settings) -> Iterator[Finding]:
    for run in integrations(model).runs:
        site = model.call_sites[run.call]
        if run.problem is None or not site.in_durable_code:
            continue
        yield Finding("RST109", run.call, _run_message(model, run))


def _run_message(model: ModuleModel, run: AgentRun) -> str:
    written = f"`{model.tree.code_for_node(run.call.func)}(..)`"
    if run.problem != "unwrapped":
        return (
            f"{written} runs an agent whose model is a `{run.problem}` object: `DurableRunner` journals only the "
            f"models it looks up by name, and this agent's model calls are not journaled, {_REPLAY}. Give the agent "
            f"a model name (`model=\"gpt-4o\"`, `\"litellm/<provider>/<model>\"`) and set the client with "
            f"`set_default_openai_client(..)`"
        )  # fmt: skip
    return f"{written} runs the agent ({run.framework}) without Restate's durable wrapper: its model calls are not journaled, {_REPLAY}. To journal them, {_WRAPPER[run.framework]}"


# -- RST110 ---------------------------------------------------------------------------------------
@check(RST110)
def tool_side_effect_outside_run(model: ModuleModel, settings) -> Iterator[Finding]:
    """Tools the wrapper does not journal re-run on every replay of the agent (its model answers
    are replayed, and they ask for the same tools). A tool holding a context is durable code,
    where RST102 reports the same I/O."""
    effects = Effects.of(model, settings)
    reached_in_tools = dict(model.facts.agents.tool_reached) if model.facts is not None else {}  # through helpers of any module
    for tool in integrations(model).tools:
        function = tool.function
        if tool.journaled or function.is_durable or function.in_action:
            continue
        advice = "wrap it in `await restate_context().run_typed(\"..\", ..)`"
        if tool.framework == PYDANTIC:
            advice += ", or let the wrapper journal every tool call: `RestateAgent(agent, auto_wrap_tools=True)`"
        why = f"{tool.framework} tools are not journaled by Restate's wrapper, so every replay of the agent runs it again. To journal it, {advice}"
        for site in function_sites(model, function):
            if not isinstance(site.node, cst.Call):
                continue
            written = model.tree.code_for_node(site.node.func)
            api = effects.call(model, site.node, site.function)
            if api is not None:
                if api.kind == IO:
                    yield Finding("RST110", site.node, f"`{written}(..)` in tool `{function.name}` does I/O outside a run action: {why}")
                continue
            reached = reached_in_tools.get(site_index(model, site)) if isinstance(site, CallSite) else None
            if reached is not None:
                path = " -> ".join((function.name, reached.callee, *reached.chain))
                yield Finding("RST110", site.node, f"`{written}(..)` in tool `{function.name}` reaches `{reached.api}`, which does I/O outside a run action ({path}): {why}")


# -- RST215 ---------------------------------------------------------------------------------------
@check(RST215)
def context_in_journaled_tool(model: ModuleModel, settings) -> Iterator[Finding]:
    found = integrations(model)
    zones = [(t.function, "tool") for t in found.tools if t.journaled] + [(f, "event stream handler") for f in found.stream_handlers]
    for function, what in zones:
        for call in _calls_within(function):
            if model.resolve(call.node.func, call.function) in sdk.CONTEXT_GETTERS:
                yield Finding(
                    "RST215", call.node,
                    f"`RestateAgent(.., auto_wrap_tools=True)` runs this {what} inside `ctx.run_typed`, where the Restate "
                    f"context must not be used: a durable call here is journaled inside the wrapper's run. Do the durable "
                    f"work in the handler, or drop `auto_wrap_tools` and journal the tool's side effects yourself",
                )  # fmt: skip


def _calls_within(function: Function) -> Iterator:
    yield from function.calls
    for child in function.children:
        yield from _calls_within(child)


# -- RST504 ---------------------------------------------------------------------------------------
_DEFAULT_ERROR_FUNCTIONS = frozenset({"agents.default_tool_error_function", "agents.tool.default_tool_error_function"})


@check(RST504)
def tool_error_handler_swallows_terminal(model: ModuleModel, settings) -> Iterator[Finding]:
    found = integrations(model)
    for arg, durable, function in found.error_functions:
        problem = _swallowing(model, arg.value, function, durable)
        if problem:
            yield Finding("RST504", arg.value, problem)
    for tool in found.tools:
        if tool.framework != OPENAI or tool.decorator is None or not awaits_durable(model, tool.function):
            continue
        expr = tool.decorator.decorator
        call = expr if isinstance(expr, cst.Call) else None
        name = model.resolve(call.func if call else expr, tool.function.parent)
        if name in OPENAI_TOOLS and not (call and any(a.keyword and a.keyword.value == "failure_error_function" for a in call.args)):
            yield Finding(
                "RST504", tool.decorator.decorator,
                "`@function_tool` turns every exception of this tool into a text for the model, Restate's `TerminalError` "
                "included: a cancellation, or a durable step of the tool that failed for good, no longer stops the "
                "invocation, and the agent goes on. Use `@durable_function_tool` from `restate.ext.openai`, which "
                "re-raises them",
            )  # fmt: skip
    for value, framework, scope, keyword in found.tool_error_handlers:
        problem = _swallowing_tool_errors(model, value, scope, framework, keyword)
        if problem:
            yield Finding("RST504", value, problem)
    for plugin, hook in found.plugin_error_hooks:
        if _returns_text_never_raises(model, hook):
            yield Finding("RST504", plugin, f"The `{ADK_TOOL_ERROR_CALLBACK}` of `{model.tree.code_for_node(plugin)}` returns a response for a tool's error: {_ADK_SWALLOWS}")


def _swallowing(model: ModuleModel, value: cst.BaseExpression, function: Optional[Function], durable: bool) -> Optional[str]:
    """Why a `failure_error_function=` turns terminal errors into text, or None."""
    if isinstance(value, cst.Name) and value.value == "None":
        if not durable:
            return None  # plain `function_tool`: errors are raised
        return (
            "`failure_error_function=None` makes `durable_function_tool` fall back to the agents SDK's default, which "
            "returns a text for every error but cancellation: a terminal failure in the tool no longer stops the "
            "invocation. Leave the default (`raise_terminal_errors`), or pass a function that re-raises `TerminalError`"
        )  # fmt: skip
    target = model.function_ref(value, function)
    if isinstance(target, str):
        if target not in _DEFAULT_ERROR_FUNCTIONS:
            return None
        shown = "`default_tool_error_function`"
    elif isinstance(target, Function) and target.module is model and _returns_text_never_raises(model, target):
        shown = f"`{target.name}`" if not target.is_lambda else "This error function"
    else:
        return None
    caught = "every error but cancellation" if durable else "every error, cancellation included"
    return (
        f"{shown} returns a text for {caught}: Restate's `TerminalError` becomes a message for the model, and the "
        f"invocation goes on as if the tool had answered. Re-raise it (`if isinstance(error, TerminalError): raise error`), "
        f"or use `raise_terminal_errors` from `restate.ext.openai`"
    )  # fmt: skip


_ADK_SWALLOWS = (
    "ADK hands every `Exception` a tool raises to the error callbacks, Restate's `TerminalError` included (a "
    "cancellation, a durable step that failed for good), and a returned dict becomes the tool's result: the invocation "
    "goes on as if the tool had answered. Re-raise it (`if isinstance(error, TerminalError): raise error`), or return "
    "None for the errors you do not handle"
)
_BROAD = frozenset({"builtins.Exception", "builtins.BaseException", "restate.TerminalError", "restate.exceptions.TerminalError"})


def _swallowing_tool_errors(model: ModuleModel, value: cst.BaseExpression, scope: Optional[Function], framework: str, keyword: str) -> Optional[str]:
    """Why an ADK `on_tool_error_callback` or a LangChain `ToolNode(handle_tool_errors=..)` turns
    Restate's errors into a tool result, or None."""
    target = model.function_ref(value, scope)
    handler = target if isinstance(target, Function) and target.module is model else None
    if framework == ADK:
        return f"{_shown(handler)} returns a response for a tool's error: {_ADK_SWALLOWS}" if handler is not None and _returns_text_never_raises(model, handler) else None
    shown = f"`{keyword}={model.tree.code_for_node(value)}`"
    if handler is not None:
        if not _returns_text_never_raises(model, handler) or not _handles_broadly(model, handler):
            return None
        shown = _shown(handler)
    elif not (isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)) or (isinstance(value, cst.Name) and value.value == "True") or _broad_types(model, value, scope)):
        return None
    return (
        f"{shown} makes `ToolNode` answer every `Exception` a tool raises with a message for the model, Restate's "
        f"`TerminalError` included (a cancellation, a durable step that failed for good): the invocation goes on as if "
        f"the tool had answered. Handle only your own errors (`handle_tool_errors=(ValueError,)`, or a handler whose "
        f"error parameter is annotated with them), or leave the default, which re-raises them"
    )  # fmt: skip


def _shown(handler: Function) -> str:
    return f"`{handler.name}`" if not handler.is_lambda else "This handler"


def _broad_types(model: ModuleModel, value: cst.BaseExpression, scope: Optional[Function]) -> bool:
    """An exception class (or a tuple of them) that catches Restate's `TerminalError`."""
    elements = [e.value for e in value.elements] if isinstance(value, cst.Tuple) else [value]
    return any(isinstance(e, (cst.Name, cst.Attribute)) and model.resolve(e, scope) in _BROAD for e in elements)


def _handles_broadly(model: ModuleModel, handler: Function) -> bool:
    """langgraph infers what a handler handles from its error parameter's annotation: none means `Exception`."""
    params = [p for p in handler.params if p.name.value not in ("self", "cls")]
    if not params or params[0].annotation is None:
        return True
    annotation = params[0].annotation.annotation
    parts = [annotation.left, annotation.right] if isinstance(annotation, cst.BinaryOperation) else [annotation]
    return any(_broad_types(model, part, handler.parent) for part in parts)


def _returns_text_never_raises(model: ModuleModel, function: Function) -> bool:
    """No `raise` in it, and it returns a value (the agents SDK re-raises when it returns None)."""
    if function.is_lambda:
        body = function.node.body
        return not (isinstance(body, cst.Name) and body.value == "None")
    if any(True for _ in model.sites_in(function, cst.Raise)):
        return False
    returns = model.sites_in(function, cst.Return)
    return any(r.node.value is not None and not (isinstance(r.node.value, cst.Name) and r.node.value.value == "None") for r in returns)
