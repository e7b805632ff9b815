"""`restate-lint lsp` with one more check that always raises, to see the server survive it."""

from restate_lint.lsp.server import serve
from restate_lint.rules import CHECKS, RULES


def broken_check(model, settings):
    raise RuntimeError("this check is broken on purpose")


CHECKS.append((frozenset(RULES), broken_check))

if __name__ == "__main__":
    serve()
