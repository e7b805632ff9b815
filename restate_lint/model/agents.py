"""The agent frameworks Restate integrates with (`restate.ext.openai`, `.adk`, `.langchain`,
`.pydantic`), as the SDK's ext/ source defines them, and what one module does with them.

What each durable wrapper journals (restate-sdk 1.3.0):

- openai-agents: `DurableRunner.run` journals every model call (`ctx.run_typed("call LLM")`) for
  models it looks up by name; an agent whose `model` is a `Model` object bypasses its provider,
  so those calls are not journaled. Tool calls are not journaled, only run one at a time;
  `durable_function_tool` re-raises cancellation and, by default, terminal errors.
- Google ADK: `RestatePlugin` (in a `Runner`'s or an `App`'s `plugins`) journals model calls;
  tool calls are not journaled, only ordered.
- LangChain: `RestateMiddleware` (in `create_agent(middleware=[..])`) journals model calls;
  tool calls are not journaled, only ordered.
- pydantic-ai: `RestateAgent(agent)` journals model calls; tool calls only with
  `auto_wrap_tools=True`, which runs each function tool (and the event stream handler) inside
  `ctx.run_typed`: there the context must not be used.

What one module shows is known, and what the project's facts tell of other modules: agents and
runners bound at module level there, functions of theirs listed as tools here. A list of tools or
plugins that is not a literal is taken to be set up right (precision first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional, Union

import libcst as cst

from restate_lint.model.scope import Function
from restate_lint.model.services import argument

OPENAI, ADK, LANGCHAIN, PYDANTIC = "openai-agents", "Google ADK", "LangChain", "pydantic-ai"

OPENAI_RUNS = frozenset({"agents.Runner.run", "agents.Runner.run_sync", "agents.Runner.run_streamed",
                         "agents.run.Runner.run", "agents.run.Runner.run_sync", "agents.run.Runner.run_streamed"})
DURABLE_RUNS = frozenset({"restate.ext.openai.DurableRunner.run", "restate.ext.openai.runner_wrapper.DurableRunner.run"})
OPENAI_LEGACY = frozenset({"restate.ext.openai.DurableOpenAIAgents", "restate.ext.openai.runner_wrapper.DurableOpenAIAgents"})
OPENAI_AGENTS = frozenset({"agents.Agent", "agents.agent.Agent"})
OPENAI_TOOLS = frozenset({"agents.function_tool", "agents.tool.function_tool"})
DURABLE_TOOLS = frozenset({"restate.ext.openai.durable_function_tool", "restate.ext.openai.functions.durable_function_tool"})

PYDANTIC_AGENTS = frozenset({"pydantic_ai.Agent", "pydantic_ai.agent.Agent"})
RESTATE_AGENTS = frozenset({"restate.ext.pydantic.RestateAgent", "restate.ext.pydantic._agent.RestateAgent"})
PYDANTIC_RUNS = frozenset({"run", "run_sync", "run_stream", "run_stream_events", "iter"})
PYDANTIC_TOOL_DECORATORS = frozenset({"tool", "tool_plain"})

LANGCHAIN_AGENTS = frozenset({"langchain.agents.create_agent", "langchain.agents.factory.create_agent"})
LANGGRAPH_AGENTS = frozenset({"langgraph.prebuilt.create_react_agent", "langgraph.prebuilt.chat_agent_executor.create_react_agent"})
RESTATE_MIDDLEWARE = frozenset({"restate.ext.langchain.RestateMiddleware", "restate.ext.langchain._middleware.RestateMiddleware"})
LANGCHAIN_RUNS = frozenset({"invoke", "ainvoke", "stream", "astream", "batch", "abatch", "astream_events"})
LANGCHAIN_TOOLS = frozenset({"langchain_core.tools.tool", "langchain_core.tools.convert.tool", "langchain.tools.tool"})

ADK_RUNNERS = frozenset({"google.adk.Runner", "google.adk.runners.Runner", "google.adk.runners.InMemoryRunner"})
ADK_APPS = frozenset({"google.adk.apps.App", "google.adk.apps.app.App"})
RESTATE_PLUGIN = frozenset({"restate.ext.adk.RestatePlugin", "restate.ext.adk.plugin.RestatePlugin"})
ADK_RUNS = frozenset({"run_async", "run", "run_live"})
ADK_AGENTS = frozenset({"google.adk.Agent", "google.adk.agents.Agent", "google.adk.agents.LlmAgent",
                        "google.adk.agents.llm_agent.Agent", "google.adk.agents.llm_agent.LlmAgent"})
ADK_FUNCTION_TOOLS = frozenset({"google.adk.tools.FunctionTool", "google.adk.tools.function_tool.FunctionTool"})
TOOL_NODES = frozenset({"langgraph.prebuilt.ToolNode", "langgraph.prebuilt.tool_node.ToolNode"})
# an ADK plugin's hook and an agent's argument: a callback that returns a dict replaces the tool's
# error (an `Exception`, TerminalError included) by that response; None lets the error through
ADK_TOOL_ERROR_CALLBACK = "on_tool_error_callback"

_MAX_DEPTH = 6
_RUNS = {PYDANTIC: PYDANTIC_RUNS, LANGCHAIN: LANGCHAIN_RUNS, ADK: ADK_RUNS}
_ALL_RUNS = PYDANTIC_RUNS | LANGCHAIN_RUNS | ADK_RUNS
UNWRAPPED = "unwrapped"


@dataclass(eq=False)
class AgentRun:
    """A call that runs an agent: where, with which framework, and what is wrong with it (None: durable)."""

    call: cst.Call
    framework: str
    problem: Optional[str]


@dataclass(eq=False)
class Tool:
    """A function an agent framework calls as a tool."""

    function: Function
    framework: str
    journaled: bool  # the wrapper runs it inside `ctx.run_typed` (pydantic-ai's auto_wrap_tools)
    decorator: Optional[cst.Decorator] = None  # `@function_tool` / `@durable_function_tool` / `@tool`


@dataclass(eq=False)
class Integrations:
    """The agents, runs and tools of one module."""

    runs: list[AgentRun] = field(default_factory=list)
    tools: list[Tool] = field(default_factory=list)
    # `failure_error_function=` arguments of openai-agents tools: (argument, durable tool?, scope)
    error_functions: list[tuple[cst.Arg, bool, Optional[Function]]] = field(default_factory=list)
    stream_handlers: list[Function] = field(default_factory=list)  # run inside `ctx.run_typed` (auto_wrap_tools)
    foreign_tools: list[tuple[str, str, bool]] = field(default_factory=list)  # tools of other modules: (qualname, framework, journaled)
    foreign_wrapped: list[tuple[str, str, bool]] = field(default_factory=list)  # `RestateAgent(agent of another module)`: (qualname, framework, journaled)
    # error handlers of ADK and LangChain tools that may use the context: (handler, framework, scope,
    # where it is given: `on_tool_error_callback` / `handle_tool_errors` / a plugin's method)
    tool_error_handlers: list[tuple[cst.BaseExpression, str, Optional[Function], str]] = field(default_factory=list)
    plugin_error_hooks: list[tuple[cst.BaseExpression, Function]] = field(default_factory=list)  # (plugin in a Restate runner's list, its hook)


def journaled_by_wrapper(model) -> list[Function]:
    """Functions an integration runs inside `ctx.run_typed` itself: side-effect zones."""
    found = integrations(model)
    return [tool.function for tool in found.tools if tool.journaled] + found.stream_handlers


def awaits_durable(model, function: Function) -> bool:
    """The function awaits a durable operation: where a cancellation or a terminal failure arrives."""
    return function.is_durable and any(model.awaited_ops(site.node.expression, function) for site in function.awaits)


def exported_agents(model) -> list[tuple[str, str, str]]:
    """Module-level names bound once to an agent or runner whose runs are not durable, for other
    modules that run it: (name, framework, problem: UNWRAPPED or the class of an openai agent's model)."""
    finder, found = _Finder(model), []
    for name, call in _module_level_calls(model):
        framework = finder.unwrapped_agent(call, None)
        if framework is not None:
            found.append((name, framework, UNWRAPPED))
        elif (model_class := finder.model_object(call, None)) is not None:
            found.append((name, OPENAI, model_class))
    return found


def exported_pydantic_tools(model) -> list[tuple[str, Union[int, str]]]:
    """The tools of module-level pydantic-ai agents, for a `RestateAgent` of another module that
    wraps one: (agent name, function index or qualified name)."""
    finder, found = _Finder(model), []
    for name, call in _module_level_calls(model):
        if model.resolve(call.func, None) in PYDANTIC_AGENTS:
            found += [(name, tool.index if isinstance(tool, Function) else tool) for tool in finder.pydantic_tools(cst.Name(name), call, None)]
    return found


def _module_level_calls(model) -> Iterator[tuple[str, cst.Call]]:
    """Module-level names bound once, by assigning a call's value: what another module can import."""
    for name, bindings in model.bindings.items():
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].index is None and isinstance(bindings[0].node, cst.Call):
            yield name, bindings[0].node


def integrations(model) -> Integrations:
    """What the module does with the agent frameworks (memoised on the model)."""
    found = model.analyses.get("_integrations")
    if found is None:
        found = model.analyses["_integrations"] = _Finder(model).find()
    return found


class _Finder:
    def __init__(self, model):
        self.model = model
        self.found = Integrations()
        self.tool_functions: set[int] = set()

    def find(self) -> Integrations:
        for site in self.model.calls:
            self._call(site)
        for function in self.model.functions:
            self._decorated_tool(function)
        facts = self.model.facts
        for index, framework, journaled in facts.agents.tools if facts is not None else ():
            self._add(Tool(self.model.functions[index], framework, journaled))  # listed as a tool by another module
        return self.found

    # -- values --------------------------------------------------------------------------
    def built_by(self, expr: cst.BaseExpression, function: Optional[Function], depth: int = 0) -> tuple[Optional[cst.Call], Optional[Function]]:
        """The call that built the value `expr` holds (through plain assignments), with its scope."""
        if depth > _MAX_DEPTH:
            return None, None
        if isinstance(expr, cst.Call):
            return expr, function
        scope, bindings = self.model.bindings_of(expr, function)
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].index is None:
            return self.built_by(bindings[0].node, scope, depth + 1)
        return None, None

    def built_with(self, expr: cst.BaseExpression, function: Optional[Function], names: frozenset) -> tuple[Optional[cst.Call], Optional[Function]]:
        call, scope = self.built_by(expr, function)
        return (call, scope) if call is not None and self.model.resolve(call.func, scope) in names else (None, None)

    def function_of(self, expr: cst.BaseExpression, function: Optional[Function]) -> Optional[Function]:
        found = self.model.function_ref(expr, function)
        return found if isinstance(found, Function) else None

    def foreign_agent(self, expr: cst.BaseExpression, function: Optional[Function]) -> Optional[tuple[str, str]]:
        """(framework, problem) of an agent or runner of another module that `expr` names, if the
        project's facts know it as not durable."""
        facts = self.model.facts
        return facts.agents.agent(self.model.resolve(expr, function)) if facts is not None else None

    def _lists(self, call: cst.Call, keyword: str, position: Optional[int] = None) -> Optional[list[cst.BaseExpression]]:
        """The elements of a literal list given as `keyword`; None when it is absent, [..] when it
        is not a literal (unknown: treated as set up right)."""
        arg = argument(call, position, keyword)
        if arg is None:
            return None
        if isinstance(arg.value, (cst.List, cst.Tuple)):
            return [e.value for e in arg.value.elements if not isinstance(e, cst.StarredElement)]
        return [arg.value]  # not a literal: unknown

    def _contains(self, elements: Optional[list], function: Optional[Function], names: frozenset, framework: str) -> bool:
        """A literal list holds an instance of `names`. Only the framework's own classes are known
        not to journal: a value we cannot see through, or a class of the project (a copy of
        Restate's plugin) or of another package, counts as one."""
        if elements is None:
            return False
        for element in elements:
            call, scope = self.built_by(element, function)
            name = self.model.resolve(call.func, scope) if call is not None else None
            if name is None or name in names or not name.startswith(framework):
                return True
        return False

    # -- calls ---------------------------------------------------------------------------
    def _call(self, site) -> None:
        model, call, function = self.model, site.node, site.function
        qualname = model.resolve(call.func, function)
        if qualname in OPENAI_RUNS:
            self.found.runs.append(AgentRun(call, OPENAI, None if self._openai_provided(call, function) else UNWRAPPED))
        elif qualname in DURABLE_RUNS:
            self.found.runs.append(AgentRun(call, OPENAI, self._openai_model_object(call, function)))
        elif qualname in RESTATE_AGENTS:
            self._restate_agent(call, function)
        elif qualname in ADK_AGENTS:
            self._listed_tools(call, function, "tools", ADK)
            self._error_handler(call, function, ADK, ADK_TOOL_ERROR_CALLBACK, "tools")
        elif qualname in TOOL_NODES:
            self._error_handler(call, function, LANGCHAIN, "handle_tool_errors", "tools", 0)
        elif qualname in ADK_RUNNERS or qualname in ADK_APPS:
            self._plugin_hooks(call, function)
        elif qualname in ADK_FUNCTION_TOOLS:
            self._listed_tools(call, function, "func", ADK, 0)
        elif qualname in PYDANTIC_AGENTS:
            self._listed_tools(call, function, "tools", PYDANTIC)
        elif isinstance(call.func, cst.Attribute):
            self._method_run(call, function)
        self._error_function(call, function, qualname)

    def _method_run(self, call: cst.Call, function: Optional[Function]) -> None:
        method, receiver = call.func.attr.value, call.func.value
        if method not in _ALL_RUNS:
            return
        built, scope = self.built_by(receiver, function)
        if built is not None:
            framework = self.unwrapped_agent(built, scope)
        else:
            foreign = self.foreign_agent(receiver, function)
            framework = foreign[0] if foreign is not None and foreign[1] == UNWRAPPED else None
        if framework is not None and method in _RUNS[framework]:
            self.found.runs.append(AgentRun(call, framework, UNWRAPPED))

    def unwrapped_agent(self, built: cst.Call, scope: Optional[Function]) -> Optional[str]:
        """The framework of the agent or runner `built` makes, when running it is not durable."""
        name = self.model.resolve(built.func, scope)
        if name in PYDANTIC_AGENTS:
            return PYDANTIC
        if name in LANGGRAPH_AGENTS or (name in LANGCHAIN_AGENTS and not self._contains(self._lists(built, "middleware"), scope, RESTATE_MIDDLEWARE, "langchain.")):
            return LANGCHAIN
        if name in ADK_RUNNERS and not self._adk_plugged(built, scope):
            return ADK
        return None

    def _adk_plugged(self, runner: cst.Call, scope: Optional[Function]) -> bool:
        """The runner, or the app it runs, has `RestatePlugin()` among its plugins."""
        if self._contains(self._lists(runner, "plugins"), scope, RESTATE_PLUGIN, "google.adk."):
            return True
        app = argument(runner, None, "app")
        if app is None:
            return False
        app_call, app_scope = self.built_by(app.value, scope)
        if app_call is None or self.model.resolve(app_call.func, app_scope) not in ADK_APPS:
            return True  # an app we cannot see: unknown
        return self._contains(self._lists(app_call, "plugins"), app_scope, RESTATE_PLUGIN, "google.adk.")

    def _openai_provided(self, call: cst.Call, function: Optional[Function]) -> bool:
        """`Runner.run(.., run_config=RunConfig(model_provider=..))` (a provider that may journal,
        as `DurableModelCalls` does), or a module of the SDK's first openai integration
        (`Service(.., invocation_context_managers=[DurableOpenAIAgents])` made `Runner.run` durable)."""
        if any(b.kind == "import" and b.qualname in OPENAI_LEGACY for bs in self.model.bindings.values() for b in bs):
            return True
        config = argument(call, None, "run_config")
        built, _ = self.built_by(config.value, function) if config is not None else (None, None)
        return built is not None and argument(built, None, "model_provider") is not None

    def _openai_model_object(self, call: cst.Call, function: Optional[Function]) -> Optional[str]:
        """`DurableRunner.run(agent, ..)` where the agent's model is a `Model` object, which
        bypasses the durable model provider: the name of that model class."""
        agent_arg = argument(call, 0, "starting_agent")
        if agent_arg is None:
            return None
        agent, scope = self.built_by(agent_arg.value, function)
        if agent is not None:
            return self.model_object(agent, scope)
        foreign = self.foreign_agent(agent_arg.value, function)
        return foreign[1] if foreign is not None and foreign[0] == OPENAI else None

    def model_object(self, agent: cst.Call, scope: Optional[Function]) -> Optional[str]:
        """The class of the `Model` object an openai-agents `Agent(.., model=..)` is given, if any."""
        if self.model.resolve(agent.func, scope) not in OPENAI_AGENTS:
            return None
        model_arg = argument(agent, None, "model")
        if model_arg is None:
            return None
        built, built_scope = self.built_by(model_arg.value, scope)
        name = self.model.resolve(built.func, built_scope) if built is not None else None
        if name and name.startswith("agents.") and name.rsplit(".", 1)[-1].endswith("Model"):
            return name.rsplit(".", 1)[-1]
        return None

    def _restate_agent(self, call: cst.Call, function: Optional[Function]) -> None:
        """`RestateAgent(agent, auto_wrap_tools=..)`: the tools of `agent` declared here."""
        wrapped_arg = argument(call, 0, "wrapped")
        wrapped = self.built_with(wrapped_arg.value, function, PYDANTIC_AGENTS)[0] if wrapped_arg is not None else None
        auto = argument(call, None, "auto_wrap_tools")
        journaled = auto is not None and isinstance(auto.value, cst.Name) and auto.value.value == "True"
        if journaled:
            handler = argument(call, None, "event_stream_handler")
            stream = self.function_of(handler.value, function) if handler is not None else None
            if stream is not None:
                self.found.stream_handlers.append(stream)
        if wrapped_arg is not None and wrapped is None and self.built_by(wrapped_arg.value, function)[0] is None:
            qualname = self.model.resolve(wrapped_arg.value, function)  # an agent of another module: the link stage finds its tools
            if qualname is not None:
                self.found.foreign_wrapped.append((qualname, PYDANTIC, journaled))
        if wrapped is None or wrapped_arg is None:
            return
        for tool in self.pydantic_tools(wrapped_arg.value, wrapped, function):
            self._add_listed(tool, PYDANTIC, journaled)

    def pydantic_tools(self, agent_expr: cst.BaseExpression, agent: cst.Call, function: Optional[Function]) -> list[Union[Function, str]]:
        """`@agent.tool` / `@agent.tool_plain` functions, and the functions of `Agent(tools=[..])`."""
        found: list[Union[Function, str]] = []
        for candidate in self.model.functions:
            for decorator in getattr(candidate.node, "decorators", ()):
                expr = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
                if isinstance(expr, cst.Attribute) and expr.attr.value in PYDANTIC_TOOL_DECORATORS and self.built_by(expr.value, candidate.parent)[0] is agent:
                    found.append(candidate)
        _, scope = self.built_by(agent_expr, function)
        for element in self._lists(agent, "tools") or ():
            tool = self._tool_function(element, scope)
            if tool is not None:
                found.append(tool)
        return found

    def _tool_function(self, expr: cst.BaseExpression, function: Optional[Function]) -> Union[Function, str, None]:
        """The function a tool list entry names: `f`, or `Tool(f)` / `FunctionTool(f)` (the
        qualified name of one of another module)."""
        if isinstance(expr, cst.Call) and expr.args:
            expr = expr.args[0].value
        return self.model.function_ref(expr, function)

    def _listed_tools(self, call: cst.Call, function: Optional[Function], keyword: str, framework: str, position: Optional[int] = None) -> None:
        if framework == PYDANTIC:
            return  # pydantic-ai tools are journaled or not by the RestateAgent that wraps the agent
        for element in self._lists(call, keyword, position) or ():
            tool = self._tool_function(element, function)
            if tool is not None:
                self._add_listed(tool, framework, False)

    def _error_handler(self, call: cst.Call, function: Optional[Function], framework: str, keyword: str, tools: str, position: Optional[int] = None) -> None:
        """The error handlers given to an agent or a tool node one of whose listed tools awaits a
        durable operation (only there can Restate's errors arrive)."""
        arg = argument(call, None, keyword)
        if arg is None or not any(isinstance(t := self._tool_function(e, function), Function) and awaits_durable(self.model, t) for e in self._lists(call, tools, position) or ()):
            return
        elements = self._lists(call, keyword) if framework == ADK else [arg.value]  # ADK takes a list of callbacks too
        for element in elements or ():
            self.found.tool_error_handlers.append((element, framework, function, keyword))

    def _plugin_hooks(self, call: cst.Call, function: Optional[Function]) -> None:
        """Plugins of this module's classes listed next to `RestatePlugin()` that define the error hook."""
        elements = self._lists(call, "plugins") or ()
        if not any(self.model.resolve(c.func, s) in RESTATE_PLUGIN for c, s in (self.built_by(e, function) for e in elements) if c is not None):
            return
        for element in elements:
            built, scope = self.built_by(element, function)
            name = self.model.resolve(built.func, scope) if built is not None else None
            if name and name.startswith(f"{self.model.name}."):
                hook = self.model.function_named(f"{name[len(self.model.name) + 1:]}.{ADK_TOOL_ERROR_CALLBACK}")
                if hook is not None:
                    self.found.plugin_error_hooks.append((element, hook))

    def _add_listed(self, tool: Union[Function, str], framework: str, journaled: bool) -> None:
        if isinstance(tool, Function):
            self._add(Tool(tool, framework, journaled))
        else:
            self.found.foreign_tools.append((tool, framework, journaled))

    def _decorated_tool(self, function: Function) -> None:
        for decorator in getattr(function.node, "decorators", ()):
            expr = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            name = self.model.resolve(expr, function.parent)
            if name in OPENAI_TOOLS or name in DURABLE_TOOLS:
                self._add(Tool(function, OPENAI, False, decorator))
            elif name in LANGCHAIN_TOOLS:
                self._add(Tool(function, LANGCHAIN, False, decorator))

    def _add(self, tool: Tool) -> None:
        if tool.function.index not in self.tool_functions:
            self.tool_functions.add(tool.function.index)
            self.found.tools.append(tool)

    def _error_function(self, call: cst.Call, function: Optional[Function], qualname: Optional[str]) -> None:
        if qualname in OPENAI_TOOLS or qualname in DURABLE_TOOLS:
            arg = argument(call, None, "failure_error_function")
            if arg is not None:
                self.found.error_functions.append((arg, qualname in DURABLE_TOOLS, function))
