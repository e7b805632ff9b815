"""The agent-framework names the integration rules and fixtures use exist in the frameworks.

openai-agents and pydantic-ai are in the test extras: their names are imported. LangChain and
Google ADK install slowly (about 42 s and 61 s, see the test extras), so their wheels are
downloaded (no dependencies, nothing installed) and their sources are read.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fixtures_lib import all_fixtures
from restate_lint.catalogue import _LANGCHAIN_REQUESTS
from restate_lint.model import agents

# the wheels read, and the top-level packages they hold
WHEELS = {"google-adk>=1.20.0": "google/adk", "google-genai": "google/genai", "langchain>=1.0.0": "langchain",
          "langchain-core>=1.0.0": "langchain_core", "langgraph>=1.0.0": "langgraph", "langgraph-prebuilt": "langgraph/prebuilt"}
WHEEL_PACKAGES = ("google.adk", "google.genai", "langchain", "langchain_core", "langgraph")
# methods the rules look for on objects of these frameworks: (the class and its bases that define
# them, as (module in the wheels, class), methods)
_RUNNABLE = ("langchain_core/runnables/base.py", "Runnable")
METHODS = [
    ("Runner", [("google/adk/runners.py", "Runner")], agents.ADK_RUNS),
    # what create_agent returns is a compiled langgraph graph: a Pregel, a Runnable
    ("Pregel", [("langgraph/pregel/main.py", "Pregel"), _RUNNABLE], agents.LANGCHAIN_RUNS),
    ("BaseChatModel", [("langchain_core/language_models/chat_models.py", "BaseChatModel"),
                       ("langchain_core/language_models/base.py", "BaseLanguageModel"), _RUNNABLE], _LANGCHAIN_REQUESTS
     & {"invoke", "ainvoke", "stream", "astream", "batch", "abatch", "generate", "agenerate"}),
]


def _names() -> set[str]:
    found: set[str] = set()
    for value in vars(agents).values():
        if isinstance(value, frozenset) and all(isinstance(v, str) and "." in v for v in value):
            found |= value
    return found - agents.OPENAI_LEGACY  # restate-sdk 0.x names, gone from 1.x on purpose


RULE_NAMES = sorted(_names())


def _fixture_imports() -> set[str]:
    """`module.name` for every `from module import name` of the integration fixtures."""
    found = set()
    for fixture in all_fixtures():
        if fixture.code not in ("RST102", "RST109", "RST110", "RST215", "RST504"):
            continue
        for file in fixture.files():
            for node in ast.walk(ast.parse(file.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _in_wheels(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in WHEEL_PACKAGES)


@pytest.mark.parametrize("name", [n for n in RULE_NAMES if not _in_wheels(n)])
def test_installed_framework_and_sdk_names_exist(name: str) -> None:
    """openai-agents, pydantic-ai and restate.ext.openai/pydantic by import; restate.ext.adk and
    .langchain (which need the frameworks not installed here) by their source."""
    parts = name.split(".")
    if parts[:3] in (["restate", "ext", "adk"], ["restate", "ext", "langchain"]):
        import restate

        package = Path(restate.__file__).parent / "ext" / parts[2]
        text = "\n".join(p.read_text() for p in package.glob("*.py"))
        assert re.search(rf"\b(class|def) {parts[-1]}\b", text), name
        return
    for end in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:end]))
        except ImportError:
            continue
        for attribute in parts[end:]:
            value = getattr(value, attribute)
        return
    pytest.fail(f"{name} does not import")


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> dict[str, str]:
    """The source files of the downloaded wheels, by path inside the wheel."""
    folder = tmp_path_factory.mktemp("wheels")
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                           "--dest", str(folder), *WHEELS], capture_output=True, text=True)
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"pip download failed: {done.stderr}")
        pytest.skip(f"the wheels could not be downloaded: {done.stderr.strip()[-200:]}")
    files: dict[str, str] = {}
    for wheel in folder.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.endswith(".py"):
                    files[member] = archive.read(member).decode("utf-8", errors="replace")
    return files


def _defines(files: dict[str, str], name: str) -> bool:
    """A module of the wheels defines or imports the last part of `name` (`google.adk.runners.Runner`)."""
    parts = name.split(".")
    if f"{'/'.join(parts)}/__init__.py" in files:
        return True  # a package (`from google import genai`)
    for end in range(len(parts) - 1, 0, -1):
        base = "/".join(parts[:end])
        text = files.get(f"{base}.py") or files.get(f"{base}/__init__.py")
        if text is None:
            continue
        attribute = parts[end]
        return bool(re.search(rf"^\s*(class|def|async def) {attribute}\b|\bimport\b[^\n]*\b{attribute}\b|^\s*{attribute}\s*(:[^=\n]*)?=|^\s+{attribute},?$",
                              text, re.M))
    return False


@pytest.mark.network
def test_wheel_names_the_rules_use_exist(wheels) -> None:
    missing = [name for name in RULE_NAMES if _in_wheels(name) and not _defines(wheels, name)]
    assert not missing


@pytest.mark.network
def test_wheel_names_the_fixtures_import_exist(wheels) -> None:
    missing = [name for name in sorted(_fixture_imports()) if _in_wheels(name) and not _defines(wheels, name)]
    assert not missing


@pytest.mark.network
@pytest.mark.parametrize("classes, methods", [m[1:] for m in METHODS], ids=[m[0] for m in METHODS])
def test_wheel_methods_the_rules_use_exist(wheels, classes, methods) -> None:
    bodies = [re.split(r"^class ", re.split(rf"^class {cls}\b", wheels[module], maxsplit=1, flags=re.M)[1], flags=re.M)[0]
              for module, cls in classes]
    missing = [m for m in sorted(methods) if not any(re.search(rf"^\s+(async )?def {m}\b", b, re.M) for b in bodies)]
    assert not missing


def _class_body(wheels: dict[str, str], module: str, cls: str) -> str:
    return re.split(r"^class ", re.split(rf"^class {cls}\b", wheels[module], maxsplit=1, flags=re.M)[1], flags=re.M)[0]


@pytest.mark.network
def test_wheel_tool_error_handlers_the_rules_judge(wheels) -> None:
    """RST504's ADK and LangChain handlers, as the frameworks define them: the ADK hook (an agent's
    field, a plugin's method) whose dict replaces any `Exception` of a tool; `ToolNode`'s
    `handle_tool_errors`, which catches `Exception`; and a tool's own `handle_tool_error`, which
    only `ToolException` reaches (so it is not judged)."""
    hook = agents.ADK_TOOL_ERROR_CALLBACK
    assert re.search(rf"^\s+{hook}: Optional\[OnToolErrorCallback\]", _class_body(wheels, "google/adk/agents/llm_agent.py", "LlmAgent"), re.M)
    assert re.search(rf"^\s+async def {hook}\(", _class_body(wheels, "google/adk/plugins/base_plugin.py", "BasePlugin"), re.M)
    caller = wheels["google/adk/flows/llm_flows/tools/_caller.py"]
    assert re.search(r"except Exception as tool_error:\n\s+error_response = await _tool_error_handler\.run_on_tool_error_callbacks\(", caller)
    node = _class_body(wheels, "langgraph/prebuilt/tool_node.py", "ToolNode")
    assert re.search(r"^\s+handle_tool_errors: bool$", node, re.M)
    assert "except Exception as e:" in node and "content = _handle_tool_error(e, flag=self._handle_tool_errors)" in node
    tool = wheels["langchain_core/tools/base.py"]
    assert re.search(r"except ToolException as e:\n\s+if not self\.handle_tool_error:", tool)
