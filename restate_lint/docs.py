"""Rule documentation pages: shipped in the wheel as `restate_lint/_docs`, read from
`docs/rules` in a source checkout."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

_PLACES = (Path(__file__).parent / "_docs", Path(__file__).resolve().parent.parent / "docs" / "rules")


def rule_doc(code: str) -> Optional[str]:
    for folder in _PLACES:
        page = folder / f"{code}.md"
        if page.is_file():
            return page.read_text(encoding="utf-8")
    return None
