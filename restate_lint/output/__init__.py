"""Output formats. Each formatter turns a sorted list of diagnostics into text."""

from restate_lint.output.jsonfmt import to_json
from restate_lint.output.text import concise_line, render_text

__all__ = ["to_json", "concise_line", "render_text"]
