"""Command line: `restate-lint [check] PATH...`, `restate-lint rules`, `restate-lint rule CODE`,
`restate-lint graph [PATH]`."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Optional

import click
from rich.console import Console

from restate_lint import __version__
from restate_lint.config import ConfigError, Settings, check_selectors
from restate_lint.discovery import PathError
from restate_lint.docs import rule_doc
from restate_lint.runner import Result, lint_paths, print_internal_errors
from restate_lint.fixes import MAX_ROUNDS, Outcome, fix_paths, write
from restate_lint.output import FORMATTERS, concise_line, fix_summary, render_text, summary_line, unsafe_warning
from restate_lint.workspace import common_root, lint_projects, projects, settings_loader
from restate_lint.registry import RULES

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ["text", "concise", *FORMATTERS]


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


def _config_options(config: Optional[Path], no_config: bool) -> None:
    if config is not None and no_config:
        raise ConfigError("--config and --no-config exclude each other")
    if config is not None and not config.is_file():
        raise ConfigError(f"{config}: no such config file")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Rules to enable (codes, prefixes or ALL), replacing the configured set.")
@click.option("--extend-select", multiple=True, help="Rules to enable on top of the selected set.")
@click.option("--ignore", multiple=True, help="Rules to disable.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--fix", is_flag=True, help="Apply safe fixes in place, then report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix, --fix-only or --diff: apply unsafe fixes too (they change what handlers journal).")
@click.option("--fix-only", is_flag=True, help="Apply fixes in place and report nothing else.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them.")
@click.option("--fix-symlinks", is_flag=True, help="With --fix: also write through links to files outside the folders linted.")
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when problems are found.")
@click.option("--statistics", is_flag=True, help="Count the problems per rule.")
@click.option("-q", "--quiet", is_flag=True, help="Print the diagnostics only, no summary.")
@click.option("--config", type=click.Path(path_type=Path), help="Read settings from this TOML file.")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option("--stdin-filename", help="The name of the file read from `-` (standard input).")
@click.option("--force-exclude", is_flag=True, help="Apply the excludes to files named on the command line too.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path), envvar="RESTATE_LINT_CACHE_DIR", help="Where to keep the cache (default: .restate-lint-cache in each project's root).")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), help="Processes to lint with (default: the number of CPUs; small runs use one).")
def check(paths, select, extend_select, ignore, fmt, fix, unsafe_fixes, fix_only, diff, fix_symlinks, exit_zero, statistics, quiet, config, no_config, stdin_filename, force_exclude, no_cache, cache_dir, jobs) -> None:
    """Lint PATHS (default: the current folder). `-` reads standard input (with --fix, the fixed
    text goes to standard output and the diagnostics to standard error)."""
    paths = list(paths) or [Path(".")]
    overrides, display = {}, {}
    if Path("-") in paths:
        stdin_path = Path(stdin_filename or "stdin.py")
        paths = [stdin_path if p == Path("-") else p for p in paths]
        overrides[stdin_path] = sys.stdin.buffer.read()
        display[stdin_path] = stdin_filename or "-"
    def adjust(settings: Settings) -> Settings:
        return replace(
            settings,
            select=_codes(select) or settings.select,
            extend_select=settings.extend_select + _codes(extend_select),
            ignore=settings.ignore + _codes(ignore),
            force_exclude=force_exclude or settings.force_exclude,
        )

    try:
        _config_options(config, no_config)
        check_selectors(adjust(Settings()))
        found = projects(paths, settings_loader(config, no_config, adjust), overrides)
        jobs = jobs or os.cpu_count() or 1

        def lint(current: dict) -> Result:
            return lint_projects(found, current, display, cache=not no_cache, configured_cache=cache_dir, jobs=jobs)

        if fix or fix_only or diff:
            outcome = fix_paths(paths, Settings(), unsafe_fixes, overrides, display, lint=lint)
        else:
            result = lint(overrides)
    except (ConfigError, PathError) as exc:
        _fail(str(exc))
        return
    root = common_root(found)
    if fix or fix_only or diff:
        result = outcome.result
        trees = [p if p.is_dir() else p.parent for p in paths if p not in overrides]
        findings = _apply(outcome, diff, fix_only, quiet, overrides, unsafe_fixes, trees, fix_symlinks)
        if not fix_only and not diff:
            # with standard input fixed, standard output holds the fixed text
            stdin_fixed = any(f.path in overrides for f in outcome.files.values())
            _report(result, fmt, statistics, quiet, root, unsafe_fixes, fixed=outcome.total_fixed, err=stdin_fixed)
    else:
        findings = bool(result.diagnostics)
        _report(result, fmt, statistics, quiet, root, unsafe_fixes)
    if result.internal_errors:
        print_internal_errors(result.internal_errors)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if findings and not exit_zero else EXIT_CLEAN)


def _apply(outcome: Outcome, diff: bool, fix_only: bool, quiet: bool, overrides: dict, unsafe: bool, trees: list[Path], follow_links: bool) -> bool:
    """Write (or with --diff print) the fixes; say what happened. True when the exit code
    should say "findings": problems remain after --fix, or --diff has changes to show."""
    remaining = outcome.result.diagnostics
    for line in outcome.dropped:
        click.echo(f"restate-lint: warning: {line}", err=True)
    if outcome.unsettled:
        click.echo(f"restate-lint: warning: fixes did not settle after {MAX_ROUNDS} rounds in {', '.join(outcome.unsettled)}; the last round was not applied (please report this)", err=True)
    if diff:
        for f in outcome.files.values():
            click.echo(f.diff(), nl=False)
        if not quiet:
            click.echo(fix_summary("Would fix", outcome.total_fixed, remaining, unsafe), err=True)
        return bool(outcome.files)
    errors = write([f for f in outcome.files.values() if f.path not in overrides], trees, follow_links)
    outcome.result.internal_errors.extend(errors)
    for f in outcome.files.values():
        if f.path in overrides:
            sys.stdout.buffer.write(f.data)
            sys.stdout.flush()
    if outcome.unsafe_fixed:
        click.echo(unsafe_warning(outcome.unsafe_fixed), err=True)
    if fix_only:
        if not quiet:
            click.echo(fix_summary("Fixed", outcome.total_fixed, remaining, unsafe), err=bool(overrides))
        return False
    return bool(remaining)


def _report(result: Result, fmt: str, statistics: bool, quiet: bool, root: Path, unsafe: bool, fixed: Optional[int] = None, err: bool = False) -> None:
    """Print the diagnostics in the chosen format; `fixed` is how many --fix fixed (then the text
    summary is always shown: files were changed)."""
    if fmt in FORMATTERS:
        click.echo(FORMATTERS[fmt](result, root), err=err, nl=False)
    elif fmt == "concise":
        for d in result.diagnostics:
            click.echo(concise_line(d), err=err)
    else:
        console = Console(highlight=False, soft_wrap=True, stderr=err)
        summary = not quiet and (console.is_terminal or fixed is not None)
        render_text(console, result.diagnostics, summary=summary, statistics=statistics, unsafe=unsafe, fixed=fixed)
    if fmt != "text" and fixed is not None and not quiet:
        click.echo(summary_line(result.diagnostics, unsafe, fixed), err=True)


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
    from restate_lint.output.graph import to_dot, to_json, to_mermaid

    path = path or Path(".")
    try:
        _config_options(config, no_config)
        root = (path if path.is_dir() else path.parent).resolve()
        settings = settings_loader(config, no_config)(root)
        linker = lint_paths([settings.root], replace(settings, select=()), want_graph=True).linker
    except (ConfigError, PathError) as exc:
        _fail(str(exc))
        return
    service_graph = linker.graph
    render = {"mermaid": to_mermaid, "dot": to_dot, "json": lambda g: to_json(g, settings.root)}[fmt]
    click.echo(render(service_graph), nl=False)


@main.command("manifest")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--config", type=click.Path(path_type=Path), help="Read settings (excludes) from this TOML file.")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
def manifest(path: Optional[Path], config, no_config) -> None:
    """Print the services, handlers and journal shapes the code under PATH defines, as JSON."""
    import json

    from restate_lint.deploy.sources import tree_manifest

    try:
        _config_options(config, no_config)
        found = tree_manifest(path or Path("."), settings_loader(config, no_config))
    except (ConfigError, PathError) as exc:
        _fail(str(exc))
        return
    click.echo(json.dumps(found, indent=2))


@main.command("compat")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--against", required=True, help="The old version: a git revision, or a manifest saved by `restate-lint manifest`.")
@click.option("--revision", help="Compare this git revision instead of the working tree as the new version.")
@click.option("--git-dir", type=click.Path(path_type=Path), help="The repository to read revisions from (default: the one holding PATH); with it, PATH is a folder inside that repository.")
@click.option("--select", multiple=True, help="Rules to enable (codes, prefixes or ALL), replacing the configured set.")
@click.option("--ignore", multiple=True, help="Rules to disable.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when problems are found.")
@click.option("--statistics", is_flag=True, help="Count the problems per rule.")
@click.option("-q", "--quiet", is_flag=True, help="Print the diagnostics only, no summary.")
@click.option("--config", type=click.Path(path_type=Path), help="Read settings from this TOML file.")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
def compat(path, against, revision, git_dir, select, ignore, fmt, exit_zero, statistics, quiet, config, no_config) -> None:
    """Report what deploying the code under PATH (default: the current folder) breaks for the
    version AGAINST: removed services and handlers, changed types and kinds, changed journals."""
    from restate_lint.deploy.commands import compare_versions
    from restate_lint.deploy.gitrev import GitError

    def adjust(settings: Settings) -> Settings:
        return replace(settings, select=_codes(select) or settings.select, ignore=settings.ignore + _codes(ignore))

    try:
        _config_options(config, no_config)
        check_selectors(adjust(Settings()))
        result, root = compare_versions(path or Path("."), against, revision, git_dir, settings_loader(config, no_config, adjust))
    except (ConfigError, PathError, GitError) as exc:
        _fail(str(exc))
        return
    _report(result, fmt, statistics, quiet, root, unsafe=False)
    sys.exit(EXIT_FINDINGS if result.diagnostics and not exit_zero else EXIT_CLEAN)


@main.command("clean")
@click.option("--cache-dir", type=click.Path(path_type=Path), envvar="RESTATE_LINT_CACHE_DIR", help="The cache folder to remove.")
def clean(cache_dir: Optional[Path]) -> None:
    """Remove the cache: the one given, else every .restate-lint-cache below the current folder."""
    from restate_lint.cache import remove_caches

    for removed in remove_caches(cache_dir, Path.cwd()):
        click.echo(f"Removed {removed}")


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
