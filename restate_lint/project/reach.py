"""RST107's chains: does a plain project function, when called, reach a catalogued API (directly
or through further project calls), and by which chain. Computed on summaries.

Recursion is cut at functions whose chain is being computed; a negative answer that depended
on such a cut is only kept once the outermost computation is negative too (then nothing it
reached can reach anything).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from restate_lint.catalogue import MAX_WEIGHT, weight
from restate_lint.model.facts import CALLS_PARAMETER

if TYPE_CHECKING:
    from restate_lint.project.link import FnId, Linker
    from restate_lint.project.summary import CallSummary


_NOWHERE = ("", -1, -1)  # a step with no place of its own (a helper's parameter)


@dataclass(frozen=True)
class Chain:
    """How a function reaches an API: the project functions it calls on the way, then the API.
    `steps` says where, one per function from the one asked about: (module, function index, the
    site index of its call onward, -1 where its own body reaches the API, or CALLS_PARAMETER)."""

    calls: tuple[str, ...]
    api: str
    kind: str
    steps: tuple[tuple[str, int, int], ...]

    def via(self, name: str, step: tuple[str, int, int]) -> "Chain":
        """The chain as seen from a caller: `name` is the function this chain starts at, `step`
        the caller's call of it."""
        return Chain((name, *self.calls), self.api, self.kind, (step, *self.steps))

    def names(self) -> tuple[str, ...]:
        return (*self.calls, self.api)


class Reach:
    def __init__(self, linker: "Linker"):
        self.linker = linker
        self.memo: dict["FnId", Optional[Chain]] = {}
        self._active: list["FnId"] = []
        self._provisional: dict["FnId", Optional[Chain]] = {}

    def chain(self, fn: "FnId") -> Optional[Chain]:
        """What calling `fn` reaches, or None."""
        if fn in self.memo:
            return self.memo[fn]
        if fn in self._provisional:
            return self._provisional[fn]
        if fn in self._active:
            return None
        self._active.append(fn)
        try:
            found, cut = self._compute(fn)
        except RecursionError:  # a call chain deeper than Python's stack: no verdict for it
            if len(self._active) > 1:
                raise
            self._provisional.clear()
            return None
        finally:
            self._active.pop()
        if found is not None or not cut:
            self.memo[fn] = found
        elif self._active:
            self._provisional[fn] = None
        if not self._active:
            if found is None:
                self.memo.update(self._provisional)
            self._provisional.clear()
        return found

    def _compute(self, fn: "FnId") -> tuple[Optional[Chain], bool]:
        """The chain to the API that matters most (`catalogue.weight`: an SMTP send rather than an
        environment read), the first found among equals."""
        linker = self.linker
        summary = linker.function(fn)
        best = Chain((), *summary.effect, ((fn[0], fn[1], -1),)) if summary.effect is not None else None
        cut = False
        module = linker.modules[fn[0]]
        for position in summary.calls:
            if best is not None and _weight(best) == MAX_WEIGHT:
                break
            call = module.calls[position]
            callee = linker.body_runs(fn[0], call)
            if callee is None or linker.is_durable(callee):  # durable code is checked where it stands
                continue
            if callee in self._active:
                cut = True
                continue
            found = self.chain(callee)
            step = (fn[0], fn[1], call.index)
            if found is not None and (best is None or _weight(found) > _weight(best)):
                best = found.via(linker.display_name(callee, fn[0]), step)
            elif found is None:
                handed = self.handed_on(fn[0], call, callee)
                if handed is not None and (best is None or _weight(handed) > _weight(best)):
                    best = handed.via(linker.display_name(callee, fn[0]), step)
            cut = cut or callee in self._provisional
        return best, cut and best is None

    def handed_on(self, module: str, call: "CallSummary", helper: "FnId") -> Optional[Chain]:
        """A project function handed to a plain helper that calls it (`with_retry(fetch_rate,
        url)`): what the handed function reaches, as a chain from the helper, through its
        parameter."""
        linker = self.linker
        args = dict(call.function_args)
        for position, param in linker.function(helper).called_params:
            fn = linker.resolve(module, args.get(param, args.get(position)))
            if fn is None or linker.is_durable(fn) or fn in self._active:
                continue
            found = self.chain(fn)
            if found is not None:
                return found.via(linker.display_name(fn, module), _NOWHERE).via(f"{param}()", (*helper, CALLS_PARAMETER))
        return None


def _weight(chain: Chain) -> int:
    return weight(chain.api, chain.kind)
