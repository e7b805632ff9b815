"""Rules about the linter's own inputs: suppression comments and unparsable files.

Their findings come from the engine (suppression.py, engine.py), not from a check.
"""

from restate_lint.rules.base import define

RST900 = define("RST900", "unused-suppression", "W", "none", "suppression comment that suppressed nothing")
RST901 = define("RST901", "suppression-without-reason", "I", "none", "ignore comment without a reason")
RST999 = define("RST999", "syntax-error", "E", "none", "file cannot be parsed")

# Reported by the engine after suppressions are applied: a suppression comment does not hide them.
UNSUPPRESSIBLE = frozenset({RST900.code, RST901.code, RST999.code})
