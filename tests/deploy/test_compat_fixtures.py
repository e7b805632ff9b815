"""Every compat fixture pair (tests/fixtures/RST8xx/*/v1, v2) produces exactly the findings its
markers name: in v2 where the change is in the new code, in v1 where the old code's definition is
all there is (a removed service)."""

from __future__ import annotations

import pytest

from fixtures_lib import Fixture, all_fixtures
from restate_lint.config import Settings
from restate_lint.deploy.compat import compare
from restate_lint.deploy.report import compat_result
from restate_lint.deploy.sources import tree_version

PAIRS = [f for f in all_fixtures() if f.versions]


def compat_fixture(fixture: Fixture) -> set[tuple[str, int, str]]:
    v1, v2 = fixture.versions
    old, new = (tree_version(v, lambda root: Settings(root=root)) for v in (v1, v2))
    old.label = "v1"
    result = compat_result(compare(old.manifest, new.manifest, "v1"), old, new, Settings(root=v2, select=("ALL",)))
    found = set()
    for d in result.diagnostics:
        side, _, name = d.filename.partition(":") if d.filename.startswith("v1:") else ("v2", "", d.filename.rpartition("/")[2])
        found.add((f"{side}/{name}", d.start.row, d.code))
    return found


def test_every_compat_rule_has_pairs() -> None:
    assert {f.code for f in PAIRS} == {f"RST80{n}" for n in range(1, 9)}


@pytest.mark.parametrize("fixture", PAIRS, ids=lambda f: f.id)
def test_compat_pair(fixture: Fixture) -> None:
    assert compat_fixture(fixture) == fixture.expected()


def test_an_old_payload_with_a_field_the_new_input_type_lost_still_deserialises():
    """Why RST807 is quiet on an input's lost field: the SDK's serde ignores or keeps the key."""
    import typing

    import pydantic
    from restate.serde import DefaultSerde, PydanticJsonSerde

    class Model(pydantic.BaseModel):
        amount: float

    class Dict(typing.TypedDict):
        amount: float

    old_payload = b'{"amount": 5, "user_id": "u"}'
    assert PydanticJsonSerde(Model).deserialize(old_payload) == Model(amount=5)
    assert DefaultSerde(Dict).deserialize(old_payload) == {"amount": 5, "user_id": "u"}
