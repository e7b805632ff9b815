"""Output formats. Each formatter turns a sorted list of diagnostics into text."""

from restate_lint.output.ci import to_azure, to_gitlab, to_pylint, to_rdjson
from restate_lint.output.github import to_github
from restate_lint.output.jsonfmt import to_json, to_json_lines
from restate_lint.output.junit import to_junit
from restate_lint.output.sarif import to_sarif
from restate_lint.output.text import concise_line, fix_summary, render_text, summary_line, unsafe_warning

# formats for tools: (result, project root) -> the whole output
FORMATTERS = {
    "json": lambda result, root: to_json(result.diagnostics) + "\n",
    "json-lines": lambda result, root: to_json_lines(result.diagnostics),
    "sarif": to_sarif,
    "github": to_github,
    "gitlab": to_gitlab,
    "rdjson": to_rdjson,
    "azure": to_azure,
    "pylint": to_pylint,
    "junit": to_junit,
}

__all__ = ["FORMATTERS", "to_json", "to_json_lines", "to_sarif", "to_github", "to_gitlab", "to_rdjson", "to_azure", "to_pylint", "to_junit", "concise_line", "fix_summary", "render_text", "summary_line", "unsafe_warning"]
