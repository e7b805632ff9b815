"""The import scan: what a file imports, read from its bytes without a parse."""

from __future__ import annotations

import sysconfig
from pathlib import Path

from restate_lint.scan import _IMPORT, _import_matches, scan

TRICKY = (
    b"import a\rimport b\r\nfrom c import (d,\n    import_e)\nx = 'import f'\n  import g, h as i\n"
    b"from . import j\n#import k\nimportlib.reload(x)\nfrom importlib import import_module\n"
    b"from ..pkg.mod import (\n    one,  # import two\n    three,\n)\nimport\n"
)


def test_what_a_file_imports() -> None:
    found = scan(TRICKY)
    assert found.imports == (
        (0, "a", ()), (0, "b", ()), (0, "c", ("d", "import_e")), (0, "g", ()), (0, "h", ()),
        (1, "", ("j",)), (0, "importlib", ("import_module",)), (2, "pkg.mod", ("one", "three")),
    )  # fmt: skip
    assert not found.names_codes and scan(b"x = 1  # noqa: RST101\n").names_codes


def test_lines_holding_import_are_the_only_ones_tried() -> None:
    """The shortcut finds what the expression finds when tried at every line (the standard
    library as a corpus: every shape of import statement, strings and comments)."""
    files = [TRICKY, *(p.read_bytes() for p in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py")))]
    for data in files:
        assert [m.span() for m in _import_matches(data)] == [m.span() for m in _IMPORT.finditer(data)]
