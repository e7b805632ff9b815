"""The agent frameworks across modules, on summaries: which project functions are tools (and
whether the wrapper journals them), which imported names are agents whose runs are not durable,
and what the calls in a tool reach through helpers of any module (RST110).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from restate_lint.catalogue import IO
from restate_lint.model.facts import AgentFacts, Reached

if TYPE_CHECKING:
    from restate_lint.project.link import FnId, Linker

Tools = dict["FnId", tuple[str, bool]]  # tool -> (framework, journaled by the wrapper)


def project_tools(linker: "Linker") -> Tools:
    """Every project function some module gives an agent as a tool. One that a wrapper journals
    anywhere counts as journaled (it runs inside `ctx.run_typed` there)."""
    found: Tools = {}

    def add(module: str, ref, framework: str, journaled: bool) -> None:
        fn = linker.resolve(module, ref)
        if fn is not None:
            known = found.get(fn)
            found[fn] = (framework, journaled or (known is not None and known[1]))

    for name, module in linker.modules.items():
        for ref, framework, journaled in module.agents.tools:
            add(name, ref, framework, journaled)
        for qualname, framework, journaled in module.agents.wrapped:  # `RestateAgent(agents.concierge)`: the tools of that agent
            symbol = linker.symbol(qualname)
            if symbol is not None and len(symbol[1]) == 1:
                for agent, ref in linker.modules[symbol[0]].agents.pydantic_tools:
                    if agent == symbol[1][0]:
                        add(symbol[0], ref, framework, journaled)
    return found


def agent_facts(linker: "Linker", tools: Tools, name: str) -> AgentFacts:
    return AgentFacts(
        agents=tuple(_imported_agents(linker, name)),
        tools=tuple((fn[1], framework, journaled) for fn, (framework, journaled) in sorted(tools.items()) if fn[0] == name),
        tool_reached=tuple(_tool_reached(linker, tools, name)),
    )


def _imported_agents(linker: "Linker", name: str) -> Iterator[tuple[str, str, str]]:
    for qualname in linker.modules[name].imports:
        found = linker.symbol(qualname)
        if found is None or len(found[1]) != 1 or found[0] == name:
            continue
        for var, framework, problem in linker.modules[found[0]].agents.agents:
            if var == found[1][0]:
                yield qualname, framework, problem


def _tool_reached(linker: "Linker", tools: Tools, name: str) -> Iterator[tuple[int, Reached]]:
    """Calls in the module's tools that the wrapper does not journal (context-free ones: a tool
    holding a context is durable code, RST107's) to project functions that reach I/O."""
    module = linker.modules[name]
    for fn, (_, journaled) in sorted(tools.items()):
        if fn[0] != name or journaled or linker.is_durable(fn) or linker.in_action(fn):
            continue
        for position in linker.function(fn).calls:
            reached = linker.reached_by(name, module.calls[position])
            if reached is not None and reached.kind == IO:
                yield module.calls[position].index, reached
