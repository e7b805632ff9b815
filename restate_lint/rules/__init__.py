"""Every rule module registers itself on import; importing this package loads them all."""

import importlib
import pkgutil

from restate_lint.registry import RULES, Rule
from restate_lint.rules.base import CHECKS

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["CHECKS", "RULES", "Rule"]
