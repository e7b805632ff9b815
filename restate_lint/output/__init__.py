"""Output formats. Each formatter turns a sorted list of diagnostics into text.

The formatters for tools are imported when asked for: a run prints one format, and importing all
of them (XML, SARIF's tables) would be paid by every run.
"""

from importlib import import_module
from typing import Callable

from restate_lint.output.text import concise_line, fix_summary, render_text, summary_line, unsafe_warning

# formats for tools: name -> (module of restate_lint.output, function of (result, project root) -> the whole output)
FORMATTERS = {
    "json": ("jsonfmt", "result_json"),
    "json-lines": ("jsonfmt", "result_json_lines"),
    "sarif": ("sarif", "to_sarif"),
    "github": ("github", "to_github"),
    "gitlab": ("ci", "to_gitlab"),
    "rdjson": ("ci", "to_rdjson"),
    "azure": ("ci", "to_azure"),
    "pylint": ("ci", "to_pylint"),
    "junit": ("junit", "to_junit"),
}


def formatter(name: str) -> Callable:
    module, function = FORMATTERS[name]
    return getattr(import_module(f"restate_lint.output.{module}"), function)


__all__ = ["FORMATTERS", "formatter", "concise_line", "fix_summary", "render_text", "summary_line", "unsafe_warning"]
