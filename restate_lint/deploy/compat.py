"""What changed between two manifests that a deployment of the new one breaks: removed or renamed
services and handlers, changed service types and handler kinds, journal shapes changed other than
by appending, renamed state keys or changed stored types, incompatible handler types, and handlers
closed to the ingress (RST8xx).

Works on manifest JSON only (manifest.py), so either side may be a saved manifest file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Optional

from restate_lint.deploy.journal_shape import describe, same_entry, without_locations

STATEFUL = ("VIRTUAL_OBJECT", "WORKFLOW")
PROMISE_OPS = ("get_promise", "peek_promise", "complete_promise")
_QUALIFIER = re.compile(r"\b(?:\w+\.)+(?=\w)")
_TYPING_ALIAS = re.compile(r"\b(List|Dict|Tuple|Set|FrozenSet|Type)\[")
_OPTIONAL = re.compile(r"\bOptional\[(\w+)\]")


@dataclass(frozen=True)
class Change:
    code: str
    message: str
    location: dict  # filename, row, column, end_row, end_column
    side: str  # "old" or "new": which version `location` is in


def compare(old: dict, new: dict, old_name: str = "the old version") -> list[Change]:
    """The changes, each located in the new version where there is one (else in the old)."""
    return list(_Compare(old, new, old_name).changes())


class _Compare:
    def __init__(self, old: dict, new: dict, old_name: str):
        self.old, self.new, self.old_name = old, new, old_name
        self.old_services = {s["name"]: s for s in old["services"]}
        self.new_services = {s["name"]: s for s in new["services"]}

    def was(self, location: Optional[dict]) -> str:
        """Where a definition was in the old version, for a message."""
        return f"{self.old_name}:{location['filename']}:{location['row']}" if location else self.old_name

    def changes(self) -> Iterator[Change]:
        added = [s for name, s in self.new_services.items() if name not in self.old_services]
        for name, old in self.old_services.items():
            new = self.new_services.get(name)
            if new is None:
                yield self.removed_service(old, added)
            elif old.get("type") != new.get("type"):
                yield Change("RST803", f"Service `{name}` was a {_type(old)} in {self.was(old.get('location'))} and is a {_type(new)} now: "
                             "the server refuses the registration (META0006) unless it is forced as breaking, and then old callers' paths fail; keep the type, or deploy it under a new name",
                             _location(new), "new")  # fmt: skip
            else:
                yield from self.handlers(old, new)
                yield from self.state(old, new)
                yield from self.privacy(old, new)
                yield from self.promises(old, new)

    def removed_service(self, old: dict, added: list[dict]) -> Change:
        handlers = {h["name"] for h in old["handlers"]}
        twin = next((s for s in added if s.get("type") == old.get("type") and {h["name"] for h in s["handlers"]} == handlers), None)
        renamed = f" (renamed to `{twin['name']}`?)" if twin else ""
        return Change("RST801", f"Service `{old['name']}` of {self.was(old.get('location'))} is gone{renamed}: the server keeps serving it from "
                      "the old deployment, and once that one is removed or updated in place its invocations and callers fail; "
                      "keep it in the new code until nothing uses it", _location(twin) if twin else old.get("location"), "new" if twin else "old")  # fmt: skip

    def handlers(self, old: dict, new: dict) -> Iterator[Change]:
        name = old["name"]
        new_handlers = {h["name"]: h for h in new["handlers"]}
        old_handlers = {h["name"]: h for h in old["handlers"]}
        added = [h for h in new["handlers"] if h["name"] not in old_handlers]
        for handler, before in old_handlers.items():
            after = new_handlers.get(handler)
            if after is None:
                twin = next((h for h in added if self.shape(self.new, name, h["name"]) == self.shape(self.old, name, handler) and h.get("kind") == before.get("kind")), None)
                renamed = f" (renamed to `{twin['name']}`?)" if twin else ""
                yield Change("RST802", f"Handler `{name}/{handler}` of {self.was(before.get('location'))} is gone{renamed}: new calls get 404, and "
                             "delayed sends and retries that reach the new deployment fail until paused; keep it until nothing uses it",
                             _location(twin) if twin else _location(new), "new")  # fmt: skip
                continue
            if _kind(old, before) != _kind(new, after):
                yield Change("RST804", f"Handler `{name}/{handler}` was {_kind(old, before)} in {self.was(before.get('location'))} and is "
                             f"{_kind(new, after)} now: the server accepts this silently, and calls to it stop (or start) "
                             "waiting for the key's other exclusive invocations; add a new handler instead", _location(after), "new")  # fmt: skip
            yield from self.journal(name, handler, after)
            yield from self.types(name, handler, before, after)

    def shape(self, manifest: dict, service: str, handler: str) -> list:
        return without_locations(manifest.get("journal", {}).get(service, {}).get(handler, []))

    def journal(self, service: str, handler: str, after: dict) -> Iterator[Change]:
        old = self.old.get("journal", {}).get(service, {}).get(handler, [])
        new = self.new.get("journal", {}).get(service, {}).get(handler, [])
        difference = first_difference(old, new)
        if difference is None:
            return
        was, now = difference
        if self.renamed(service, was, now):
            return  # reported once for the service (`state`, `promises`), with what it means
        where = f"{describe(was)} at {self.was(was.get('at') or _inner_at(was))}" if was else "nothing at that point"
        said = f"journals {describe(now)} where the old code journaled {where}" if now else f"no longer journals {where}"
        yield Change("RST805", f"Handler `{service}/{handler}` {said}: invocations in flight replay their journal against the new "
                     "code; register it as a new deployment (never update one in place) and keep the old deployment until "
                     "they finish", (now and (now.get("at") or _inner_at(now))) or _location(after), "new")  # fmt: skip

    def renamed(self, service: str, was: Optional[dict], now: Optional[dict]) -> bool:
        """The same state (or promise) operation, on a key (name) only the old code uses and one
        only the new code uses: a renamed key or promise (one cause, one finding for the service)."""
        if not (was and now and was.get("op") == now.get("op")):
            return False
        field = "key" if was["op"].endswith("_state") else "name" if was["op"] in PROMISE_OPS else None
        if field is None or was.get(field) == now.get(field):
            return False
        before, after = (_uses(m, service, field) for m in (self.old, self.new))
        return was.get(field) in before.keys() - after.keys() and now.get(field) in after.keys() - before.keys()

    def promises(self, old: dict, new: dict) -> Iterator[Change]:
        """A workflow's promise renamed: a workflow waiting on the old name is never resolved by the
        new code's handlers, whichever way it is deployed."""
        before, after = (_uses(m, old["name"], "name") for m in (self.old, self.new))
        gone, fresh = sorted(before.keys() - after.keys()), sorted(after.keys() - before.keys())
        for name in gone if fresh else ():
            candidates = ", ".join(f"`{n}`" for n in fresh)
            yield Change("RST805", f"Promise `{name}` of `{new['name']}` ({self.was(before[name][0]['at'])}) is no longer used and {candidates} "
                         "is new: if it was renamed, a workflow waiting on the old name is never resolved, also registered as a new "
                         "deployment (the new code's handlers resolve the new name), and updated in place a replay that journaled it "
                         "mismatches; keep resolving the old name until those workflows have finished", after[fresh[0]][0]["at"], "new")  # fmt: skip

    def state(self, old: dict, new: dict) -> Iterator[Change]:
        if new.get("type") not in STATEFUL:
            return
        before, after = (_state_keys(m, old["name"]) for m in (self.old, self.new))
        for key in sorted(before.keys() & after.keys()):
            was, now = before[key][0], after[key][0]
            if was and now and not same_type(was, now):
                yield Change("RST806", f"State key `{key}` of `{new['name']}` was read as `{was}` in {self.was(before[key][1])} and as "
                             f"`{now}` now: the default serde does not convert what the old code stored, so the new code gets the old type", after[key][1], "new")  # fmt: skip
        gone, fresh = sorted(before.keys() - after.keys()), sorted(after.keys() - before.keys())
        for key in gone if fresh else ():
            candidates = ", ".join(f"`{k}`" for k in fresh)
            yield Change("RST806", f"State key `{key}` of `{new['name']}` ({self.was(before[key][1])}) is no longer used and {candidates} "
                         "is new: if it was renamed, the state stored under the old key is not read any more; migrate it, and "
                         "register the new code as a new deployment: invocations in flight replay their journal against it",
                         after[fresh[0]][1], "new")  # fmt: skip

    def privacy(self, old: dict, new: dict) -> Iterator[Change]:
        """Handlers the ingress could call that it cannot any more (RST808): one finding at the
        service when its own `ingress_private` turned on, else one per handler that turned it on."""
        before = {h["name"]: h for h in old["handlers"]}
        closed = [h for h in new["handlers"] if h["name"] in before and _private(old, before[h["name"]]) is False and _private(new, h)]
        if not closed:
            return
        why = ("HTTP and Kafka ingress callers get 400 (\"the invoked service is not public\") as soon as it is registered, also as a "
               "new deployment next to the old one; calls from other services and invocations already accepted still run; "
               "keep it public until no ingress caller is left")
        if new.get("options", {}).get("ingress_private") is True and old.get("options", {}).get("ingress_private") is not True:
            yield Change("RST808", f"Service `{new['name']}` is private to the ingress now (`ingress_private=True`), public in "
                         f"{self.was(old.get('location'))}: {why}", _location(new), "new")  # fmt: skip
            return
        for handler in closed:
            yield Change("RST808", f"Handler `{new['name']}/{handler['name']}` is private to the ingress now (`ingress_private=True`), "
                         f"public in {self.was(before[handler['name']].get('location'))}: {why}", _location(handler), "new")  # fmt: skip

    def types(self, service: str, handler: str, before: dict, after: dict) -> Iterator[Change]:
        for part, who in (("input", "invocations of callers still sending the old shape fail on every attempt, until paused"),
                          ("output", "callers and attached clients still expecting the old shape get another one")):
            reason = self.incompatible(before, after, part)
            if reason:
                yield Change("RST807", f"The {part} of `{service}/{handler}` {reason} since {self.was(before.get('location'))}: "
                             f"{who}; accept both shapes, or add a new handler", _location(after), "new")  # fmt: skip

    def incompatible(self, before: dict, after: dict, part: str) -> Optional[str]:
        was, now = before.get(part), after.get(part)
        old_class, new_class = before.get(f"{part}_class"), after.get(f"{part}_class")
        if old_class and new_class:
            return _fields_changed(self.old.get("types", {}).get(old_class, {}), self.new.get("types", {}).get(new_class, {}), part)
        if was is not None and now is not None and same_type(was, now):
            return None
        if was and now and was != now:  # an annotation added to or removed from a parameter says nothing of the old shape
            return f"changed from `{was}` to `{now}`"
        if (was is None) != (now is None):
            return "was added" if was is None else "was removed"
        return None


def first_difference(old: list, new: list) -> Optional[tuple[Optional[dict], Optional[dict]]]:
    """Where `new` stops extending `old`, as (old item, new item), either None when missing; None
    when every journal the old shape can write is the start of one the new shape writes (equal,
    or operations appended at the end, also at the end of each branch that ends the handler). An
    operation removed from the end is a change: a replay that returns before reaching a journaled
    operation mismatches too."""
    for index, was in enumerate(old):
        if index >= len(new):
            return was, None
        now = new[index]
        if _equal(was, now):
            continue
        if index == len(old) - 1 and "alt" in was and "alt" in now and len(was["alt"]) == len(now["alt"]):
            for a, b in zip(was["alt"], now["alt"]):
                found = first_difference(a, b)
                if found is not None:
                    return found
            continue
        return _inner_difference(was, now)
    return None


def _inner_difference(was: dict, now: dict) -> tuple[Optional[dict], Optional[dict]]:
    """The first operations that differ inside two loops, or two branchings of as many ways."""
    if "repeat" in was and "repeat" in now:
        return _first_unequal(was["repeat"], now["repeat"]) or (was, now)
    if "alt" in was and "alt" in now and len(was["alt"]) == len(now["alt"]):
        for a, b in zip(was["alt"], now["alt"]):
            found = _first_unequal(a, b)
            if found is not None:
                return found
    return was, now


def _first_unequal(old: list, new: list) -> Optional[tuple[Optional[dict], Optional[dict]]]:
    for a, b in zip(old, new):
        if not _equal(a, b):
            return _inner_difference(a, b)
    if len(old) == len(new):
        return None
    return (old[len(new)] if len(old) > len(new) else None), (new[len(old)] if len(new) > len(old) else None)


def _equal(a: dict, b: dict) -> bool:
    if "alt" in a or "alt" in b:
        return "alt" in a and "alt" in b and len(a["alt"]) == len(b["alt"]) and all(_same(x, y) for x, y in zip(a["alt"], b["alt"]))
    if "repeat" in a or "repeat" in b:
        return "repeat" in a and "repeat" in b and _same(a["repeat"], b["repeat"])
    return same_entry(a, b)


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))


def _inner_at(item: dict) -> Optional[dict]:
    for nested in [*(i for branch in item.get("alt", ()) for i in branch), *item.get("repeat", ())]:
        found = nested.get("at") or _inner_at(nested)
        if found:
            return found
    return None


def _uses(manifest: dict, service: str, field: str) -> dict[str, list[dict]]:
    """The literal state keys (`field` "key") or promise names ("name") a service's handlers use:
    each -> the items using it, in order."""
    ops = PROMISE_OPS if field == "name" else None
    found: dict[str, list[dict]] = {}
    pending = [i for shape in manifest.get("journal", {}).get(service, {}).values() for i in shape]
    while pending:
        item = pending.pop(0)
        pending[:0] = [*(i for b in item.get("alt", ()) for i in b), *item.get("repeat", ())]
        op, value = item.get("op", ""), item.get(field)
        if value and not item.get("formatted") and (op in ops if ops else op.endswith("_state")):
            found.setdefault(value, []).append(item)
    return found


def _state_keys(manifest: dict, service: str) -> dict[str, tuple[Optional[str], dict]]:
    """The literal state keys a service's handlers use: key -> (type read as, first use)."""
    return {key: (next((i["type"] for i in items if i.get("type")), None), items[0]["at"]) for key, items in _uses(manifest, service, "key").items()}


def _fields_changed(old: dict, new: dict, part: str) -> Optional[str]:
    """What breaks the other side: an input's new field without a default (old callers' payloads
    lack it), an output's lost field (callers read it); a field's type either way. An input's
    lost field is not: the SDK's pydantic and TypedDict deserialisation keep or ignore the key
    old payloads still carry."""
    was, now = old.get("fields", {}), new.get("fields", {})
    for name, field in was.items():
        if name not in now:
            if part == "output":
                return f"lost the field `{name}`"
        elif not same_type(now[name]["type"], field["type"]):
            return f"changed the type of `{name}` from `{field['type']}` to `{now[name]['type']}`"
    for name, field in now.items():
        if part == "input" and name not in was and not field["default"]:
            return f"has a new field `{name}` without a default"
    return None


def same_type(a: str, b: str) -> bool:
    """Annotations that name the same type: `List[int]` and `list[int]`, `Optional[X]` and `X | None`."""
    return _normal(a) == _normal(b)


def _normal(annotation: str) -> str:
    """Spaces and module qualifiers dropped (`flights.Request` is `Request` imported otherwise)."""
    text = _QUALIFIER.sub("", annotation.replace(" ", ""))
    text = _TYPING_ALIAS.sub(lambda m: f"{m.group(1).lower()}[", text)
    return _OPTIONAL.sub(lambda m: f"{m.group(1)}|None", text)


def _private(service: dict, handler: dict) -> Optional[bool]:
    """Whether the ingress is closed to a handler: its own `ingress_private`, else its service's;
    None when the value is code we do not evaluate."""
    for options in (handler.get("options", {}), service.get("options", {})):
        value = options.get("ingress_private")
        if value is not None:
            return value if isinstance(value, bool) else None
    return False


def _type(service: dict) -> str:
    return {"SERVICE": "Service", "VIRTUAL_OBJECT": "VirtualObject", "WORKFLOW": "Workflow"}.get(service.get("type"), "service")


def _kind(service: dict, handler: dict) -> str:
    kind = handler.get("kind")
    if kind is None and service.get("type") == "VIRTUAL_OBJECT":
        kind = "EXCLUSIVE"  # what the server makes of a handler announced without a type
    return {"EXCLUSIVE": "exclusive", "SHARED": "shared", "WORKFLOW": "the workflow's main"}.get(kind or "", "a service handler")


def _location(entry: Optional[dict]) -> Optional[dict]:
    return entry.get("location") if entry else None
