"""Output formats. Each formatter turns a sorted list of diagnostics into text."""

from restate_lint.output.github import to_github
from restate_lint.output.jsonfmt import to_json
from restate_lint.output.junit import to_junit
from restate_lint.output.sarif import to_sarif
from restate_lint.output.text import concise_line, fix_summary, render_text, summary_line, unsafe_warning

# formats for tools: (result, project root) -> the whole output
FORMATTERS = {
    "json": lambda result, root: to_json(result.diagnostics) + "\n",
    "sarif": to_sarif,
    "github": to_github,
    "junit": to_junit,
}

__all__ = ["FORMATTERS", "to_json", "to_sarif", "to_github", "to_junit", "concise_line", "fix_summary", "render_text", "summary_line", "unsafe_warning"]
