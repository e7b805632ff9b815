"""Command line: `restate-lint [check] PATH...`, `restate-lint rules`, `restate-lint rule CODE`,
`restate-lint graph [PATH]`."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Optional

import click
from rich.console import Console

from restate_lint import __version__
from restate_lint.config import ConfigError, Settings, check_selectors, find_config, load
from restate_lint.discovery import PathError
from restate_lint.docs import rule_doc
from restate_lint.engine import Result, lint_paths, print_internal_errors
from restate_lint.output import concise_line, render_text, to_json
from restate_lint.project import find_root
from restate_lint.rules import RULES

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _DefaultToCheck(click.Group):
    """`restate-lint PATH` means `restate-lint check PATH`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _fail(message: str) -> None:
    click.echo(f"restate-lint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select A,B --select C` -> (A, B, C)."""
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="restate-lint")
def main() -> None:
    """Static analysis for Restate handler code: replay safety, context misuse, deadlocks."""


def settings_for(paths: list[Path], config: Optional[Path], no_config: bool) -> Settings:
    root = find_root([p for p in paths if p.exists()] or [Path.cwd()])
    if config is not None and no_config:
        raise ConfigError("--config and --no-config exclude each other")
    if no_config:
        return Settings(root=root)
    if config is not None and not config.is_file():
        raise ConfigError(f"{config}: no such config file")
    return load(config or find_config(root), root)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Rules to enable (codes, prefixes or ALL), replacing the configured set.")
@click.option("--extend-select", multiple=True, help="Rules to enable on top of the selected set.")
@click.option("--ignore", multiple=True, help="Rules to disable.")
@click.option("--format", "fmt", type=click.Choice(["text", "concise", "json"]), default="text", show_default=True)
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when problems are found.")
@click.option("--statistics", is_flag=True, help="Count the problems per rule.")
@click.option("-q", "--quiet", is_flag=True, help="Print the diagnostics only, no summary.")
@click.option("--config", type=click.Path(path_type=Path), help="Read settings from this TOML file.")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option("--stdin-filename", help="The name of the file read from `-` (standard input).")
def check(paths, select, extend_select, ignore, fmt, exit_zero, statistics, quiet, config, no_config, stdin_filename) -> None:
    """Lint PATHS (default: the current folder). `-` reads standard input."""
    paths = list(paths) or [Path(".")]
    overrides, display = {}, {}
    if Path("-") in paths:
        stdin_path = Path(stdin_filename or "stdin.py")
        paths = [stdin_path if p == Path("-") else p for p in paths]
        overrides[stdin_path] = sys.stdin.buffer.read()
        display[stdin_path] = stdin_filename or "-"
    try:
        settings = settings_for(paths, config, no_config)
        settings = replace(
            settings,
            select=_codes(select) or settings.select,
            extend_select=settings.extend_select + _codes(extend_select),
            ignore=settings.ignore + _codes(ignore),
        )
        check_selectors(settings)
        result = lint_paths(paths, settings, overrides, display)
    except (ConfigError, PathError) as exc:
        _fail(str(exc))
        return
    _report(result, fmt, statistics, quiet)
    if result.internal_errors:
        print_internal_errors(result.internal_errors)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if result.diagnostics and not exit_zero else EXIT_CLEAN)


def _report(result: Result, fmt: str, statistics: bool, quiet: bool) -> None:
    if fmt == "json":
        click.echo(to_json(result.diagnostics))
    elif fmt == "concise":
        for d in result.diagnostics:
            click.echo(concise_line(d))
    else:
        console = Console(highlight=False, soft_wrap=True)
        render_text(console, result.diagnostics, summary=console.is_terminal and not quiet, statistics=statistics)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(fmt: str) -> None:
    """List every rule: code, name, severity, fix, and whether it is on by default."""
    rows = [(r.code, r.name, r.severity.value, r.fix, "on" if r.default_enabled else "off", r.summary) for r in sorted(RULES.values(), key=lambda r: r.code)]
    if fmt == "json":
        import json

        keys = ("code", "name", "severity", "fix", "default", "summary")
        click.echo(json.dumps([dict(zip(keys, row)) for row in rows], indent=2))
        return
    for code, name, severity, fix, default, summary in rows:
        click.echo(f"{code}  {name:<40} {severity:<8} fix:{fix:<12} {default:<4} {summary}")


@main.command("rule")
@click.argument("code")
def show_rule(code: str) -> None:
    """Print the documentation page of a rule."""
    code = code.upper()
    if code not in RULES:
        _fail(f"unknown rule {code!r} (see `restate-lint rules`)")
    text = rule_doc(code)
    if text is None:
        _fail(f"no documentation found for {code}")
    click.echo(text)


@main.command("graph")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "json"]), default="mermaid", show_default=True)
@click.option("--config", type=click.Path(path_type=Path), help="Read settings (excludes) from this TOML file.")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
def graph(path: Optional[Path], fmt: str, config, no_config) -> None:
    """Draw the calls between the Restate handlers under PATH (default: the current folder).

    Imports are resolved from PATH, the way running the app from there would."""
    from restate_lint.discovery import project_files
    from restate_lint.output.graph import to_dot, to_json, to_mermaid
    from restate_lint.project import Project

    path = path or Path(".")
    try:
        settings = replace(settings_for([path], config, no_config), root=(path if path.is_dir() else path.parent).resolve())
        project = Project(settings.root, project_files(settings))
    except ConfigError as exc:
        _fail(str(exc))
        return
    project.finalize()
    service_graph = project.service_graph()
    render = {"mermaid": to_mermaid, "dot": to_dot, "json": lambda g: to_json(g, settings.root)}[fmt]
    click.echo(render(service_graph), nl=False)


@main.command("lsp")
@click.option("--tcp", "port", type=click.IntRange(1, 65535), help="Listen on 127.0.0.1:PORT instead of standard input and output.")
@click.option("--stdio", is_flag=True, help="Talk over standard input and output (the default).")
def lsp(port: Optional[int], stdio: bool) -> None:
    """Run the language server (diagnostics as you type, quick fixes)."""
    if port is not None and stdio:
        _fail("--tcp and --stdio exclude each other")
    try:
        from restate_lint.lsp.server import serve
    except ImportError as exc:
        _fail(f"the language server needs pygls ({exc}): pip install 'restate-lint[lsp]'")
        return
    serve(port)
