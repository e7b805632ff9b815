"""Settings the editor gives (`initializationOptions`, `workspace/configuration`), in the shape
Ruff's server takes them:

    {"settings": {"configuration": "~/restate-lint.toml" or {...a [tool.restate-lint] table...},
                  "configurationPreference": "editorFirst" | "filesystemFirst" | "editorOnly",
                  "lint": {"select": [...], "extendSelect": [...], "ignore": [...],
                           "perFileIgnores": {"tests/*": ["RST1"]}}}}

(`settings` may be left out, as Ruff allows.) With `editorFirst` (the default) the editor's
options apply over the project's config file as command-line options do; with `filesystemFirst`
a project with its own [tool.restate-lint] table ignores them; `editorOnly` reads no config file.
`configuration` takes the place of the project's config file, as `--config` does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Optional, Union

from restate_lint.config import ConfigError, Settings, check_selectors, from_table, has_own_config, load

SECTION = "restate-lint"  # of workspace/configuration
PREFERENCES = ("editorFirst", "filesystemFirst", "editorOnly")
_LISTS = {"select": "select", "extendSelect": "extend_select", "ignore": "ignore"}


@dataclass(frozen=True)
class EditorSettings:
    select: Optional[tuple[str, ...]] = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    configuration: Union[None, Path, dict] = None
    preference: str = "editorFirst"

    @classmethod
    def parse(cls, options: Any, base: Path) -> tuple["EditorSettings", list[str]]:
        """The settings in `options`, and one line for each option that was left out because it
        is malformed (the others still apply). Relative paths are from `base`."""
        errors: list[str] = []
        if isinstance(options, dict) and isinstance(options.get("settings"), dict):
            options = options["settings"]
        if not isinstance(options, dict):
            return cls(), [] if options is None else ["editor settings must be an object"]
        values: dict[str, Any] = {}
        lint = options.get("lint", {})
        if not isinstance(lint, dict):
            errors.append("editor setting `lint` must be an object")
            lint = {}
        for key, name in _LISTS.items():
            if key not in lint:
                continue
            if not _strings(lint[key]):
                errors.append(f"editor setting `lint.{key}` must be a list of rule codes")
            elif _known(lint[key], f"lint.{key}", errors):
                values[name] = tuple(lint[key])
        if "perFileIgnores" in lint:
            table = lint["perFileIgnores"]
            if not isinstance(table, dict) or not all(_strings(codes) for codes in table.values()):
                errors.append("editor setting `lint.perFileIgnores` must map globs to lists of rule codes")
            elif _known([code for codes in table.values() for code in codes], "lint.perFileIgnores", errors):
                values["per_file_ignores"] = tuple((pattern, tuple(codes)) for pattern, codes in table.items())
        preference = options.get("configurationPreference", "editorFirst")
        if preference in PREFERENCES:
            values["preference"] = preference
        else:
            errors.append(f"editor setting `configurationPreference` must be one of {', '.join(PREFERENCES)}")
        configuration = options.get("configuration")
        if isinstance(configuration, str) and configuration:
            values["configuration"] = base / Path(os.path.expandvars(configuration)).expanduser()
        elif isinstance(configuration, dict):
            try:
                from_table(configuration, Settings(), "editor setting `configuration`")
                values["configuration"] = configuration
            except ConfigError as exc:
                errors.append(str(exc))
        elif configuration is not None:
            errors.append("editor setting `configuration` must be a file path or a [tool.restate-lint] table")
        return cls(**values), errors

    @property
    def config_path(self) -> Optional[Path]:
        return self.configuration if isinstance(self.configuration, Path) else None

    def loader(self) -> Callable[[Path], Settings]:
        """How a project root gets its settings, with these on top. Raises ConfigError."""

        def settings_at(root: Path) -> Settings:
            own = root / "pyproject.toml" if self.preference != "editorOnly" and has_own_config(root) else None
            if own is not None and self.preference == "filesystemFirst":
                return load(own, root)
            if isinstance(self.configuration, dict):
                settings = from_table(self.configuration, Settings(root=root), "editor setting `configuration`")
            else:
                settings = load(self.config_path or own, root)
            return self.over(settings)

        return settings_at

    def over(self, settings: Settings) -> Settings:
        settings = replace(
            settings,
            select=self.select if self.select is not None else settings.select,
            extend_select=settings.extend_select + self.extend_select,
            ignore=settings.ignore + self.ignore,
            per_file_ignores=settings.per_file_ignores + self.per_file_ignores,
        )  # fmt: skip
        check_selectors(settings)
        return settings


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _known(codes: list[str], key: str, errors: list[str]) -> bool:
    try:
        check_selectors(Settings(select=tuple(codes)))
    except ConfigError as exc:
        errors.append(f"editor setting `{key}`: {exc}")
        return False
    return True
