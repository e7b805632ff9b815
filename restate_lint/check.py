"""Check: the enabled rules on one module's model (bound with its project facts), positioned and
suppressed. Positions are computed only when something is reported."""

from __future__ import annotations

import traceback
from pathlib import Path

from restate_lint import suppression
from restate_lint.config import Settings
from restate_lint.diagnostics import Diagnostic, Edit, Finding, Fix, NodeEdit, Position, Related
from restate_lint.model.module import ModuleModel
from restate_lint.positions import positions_of
from restate_lint.registry import RULES
from restate_lint.rules import CHECKS


def lint_model(model: ModuleModel, settings: Settings, path: Path, internal_errors: list[str]) -> list[Diagnostic]:
    enabled = settings.enabled_codes(path)
    findings: list[Finding] = []
    for codes, check in CHECKS:
        if not codes & enabled:
            continue
        try:
            findings.extend(f for f in check(model, settings) if f.code in enabled)
        except Exception:  # a bug in one check must not take the run down with it
            internal_errors.append(f"{model.path}: internal error in {check.__module__}.{check.__name__}:\n{traceback.format_exc()}")
    positioner = _Positioner(model)
    diagnostics = [positioner.diagnostic(f) for f in _dedupe(findings)]
    suppressions = [] if settings.ignore_noqa else suppression.find(model.source)
    kept, meta = suppression.apply(diagnostics, suppressions, lambda code: code in enabled, RULES)
    kept.extend(positioner.diagnostic(f) for f in meta if f.code in enabled)
    return kept


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen = set()
    unique = []
    for f in findings:
        key = (f.code, id(f.anchor) if not isinstance(f.anchor, tuple) else f.anchor, f.message)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


class _Positioner:
    """Node positions, computed once per file and only when something is reported."""

    def __init__(self, model: ModuleModel):
        self.model = model

    def span(self, node, owner=None) -> tuple[Position, Position]:
        return positions_of(self.model).span(node, owner)

    def text_span(self, node) -> tuple[Position, Position]:
        """The span of the node's whole text (what `code_for_node` prints): positions leave out
        the parentheses around an expression, an edit must not (`except (A, B) as e`)."""
        start, end = self.span(node)
        if getattr(node, "lpar", None):
            start = self.span(node.lpar[0], node)[0]
        if getattr(node, "rpar", None):
            end = self.span(node.rpar[-1], node)[1]
        return start, end

    def diagnostic(self, finding: Finding) -> Diagnostic:
        rule = RULES[finding.code]
        start, end = self.anchor_span(finding.anchor)
        fix = None
        if finding.fix is not None:
            fix = Fix(finding.fix.applicability, finding.fix.message, [self.edit(e) for e in finding.fix.edits])
        return Diagnostic(
            finding.code, rule.name, finding.message, finding.severity or rule.severity,
            self.model.path, start, end, fix, RULES[finding.code].url,
            tuple(Related(self.model.path, *self.anchor_span(anchor), message) for anchor, message in finding.related),
        )  # fmt: skip

    def anchor_span(self, anchor) -> tuple[Position, Position]:
        return anchor if isinstance(anchor, tuple) else self.span(anchor)

    def edit(self, edit) -> Edit:
        if isinstance(edit, Edit):
            return edit
        assert isinstance(edit, NodeEdit)
        start, end = self.text_span(edit.node)
        if edit.until is not None:
            end = self.text_span(edit.until)[0]
        elif edit.how == "before":
            end = start
        elif edit.how == "after":
            start = end
        return Edit(edit.content, start, end)
