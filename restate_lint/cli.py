"""Command line: `restate-lint [check] PATH...`, `restate-lint rules`, `restate-lint rule CODE`,
`restate-lint graph [PATH]`."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

import click

from restate_lint import __version__
from restate_lint.collector import fewer_collections
from restate_lint.config import OPTIONS, ConfigError, Settings, check_selectors, parse_version, project_root
from restate_lint.discovery import PathError
from restate_lint.docs import rule_doc
from restate_lint.runner import Result, Workers, lint_paths, print_internal_errors
from restate_lint.output import fix_summary, unsafe_warning
from restate_lint.output.locations import printable
from restate_lint.output.report import COLORS, FORMATS, Report
from restate_lint.workspace import common_root, lint_projects, projects, settings_loader, surely_parses
from restate_lint.registry import RULES, family

if TYPE_CHECKING:
    from restate_lint.fixes import Outcome

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _DefaultToCheck(click.Group):
    """`restate-lint PATH` means `restate-lint check PATH`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        if args[0] == "check":  # a reason only as `--add-noqa=REASON`: `--add-noqa src/` names a path
            args = [arg + "=" if arg == "--add-noqa" else arg for arg in args]
        return super().parse_args(ctx, args)


def _fail(message: str) -> None:
    click.echo(f"restate-lint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _codes(values: tuple[str, ...], upper: bool = True) -> tuple[str, ...]:
    """`--select A,B --select C` -> (A, B, C)."""
    return tuple(code.strip().upper() if upper else code.strip() for value in values for code in value.split(",") if code.strip())


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="restate-lint")
def main() -> None:
    """Static analysis for Restate handler code: replay safety, context misuse, deadlocks."""


def _config_options(config: Optional[Path], no_config: bool) -> None:
    if config is not None and no_config:
        raise ConfigError("--config and --no-config exclude each other")
    if config is not None and not config.is_file():
        raise ConfigError(f"{config}: no such config file")


def options(*decorators: Callable) -> Callable:
    """Several click options as one decorator: the groups below are shared between commands."""

    def apply(fn: Callable) -> Callable:
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return apply


selection_options = options(
    click.option("--select", multiple=True, help="Rules to enable (codes, prefixes or ALL), replacing the configured set."),
    click.option("--extend-select", multiple=True, help="Rules to enable on top of the selected set."),
    click.option("--ignore", multiple=True, help="Rules to disable."),
)
settings_options = options(
    click.option("--exclude", multiple=True, help="File patterns to skip, replacing the configured `exclude`."),
    click.option("--extend-exclude", multiple=True, help="File patterns to skip on top of `exclude`."),
    click.option("--per-file-ignores", multiple=True, metavar="PATTERN:CODES", help="Rules to disable in matching files, replacing the configured `per-file-ignores` (`tests/*:RST101,RST2`)."),
    click.option("--extend-per-file-ignores", multiple=True, metavar="PATTERN:CODES", help="Like --per-file-ignores, on top of the configured ones."),
    click.option("--target-sdk-version", help="The restate-sdk version the code runs on (`1.3.0`), instead of the one found."),
    click.option("--fixable", multiple=True, help="Rules whose fixes are offered (default: all)."),
    click.option("--unfixable", multiple=True, help="Rules whose fixes are never offered."),
    click.option("--ignore-noqa", is_flag=True, help="Report what suppression comments would hide (and do not check the comments)."),
)
config_options = options(
    click.option("--config", type=click.Path(path_type=Path), help="Read settings from this TOML file."),
    click.option("--no-config", is_flag=True, help="Ignore configuration files."),
)
output_options = options(
    click.option("--output-format", "--format", "fmt", type=click.Choice(FORMATS), envvar="RESTATE_LINT_OUTPUT_FORMAT", help="How to print the diagnostics [default: `output-format` in the config, else full] (--format is the old name)."),
    click.option("-o", "--output-file", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file instead of standard output."),
    click.option("--statistics", is_flag=True, help="Print only the count of problems per rule (as JSON with the json formats)."),
    click.option("--color", type=click.Choice(COLORS), default="auto", show_default=True, help="Colour the text formats: on a terminal (auto), always or never."),
    click.option("-q", "--quiet", is_flag=True, help="Print the diagnostics only, no summary."),
    click.option("-s", "--silent", is_flag=True, help="Print nothing; the exit code still tells."),
    click.option("-v", "--verbose", is_flag=True, help="Also say which files and configs are used, cache hits, and timings (on standard error)."),
)
fix_options = options(
    click.option("--fix", is_flag=True, help="Apply safe fixes in place, then report what remains."),
    click.option("--unsafe-fixes", is_flag=True, help="With --fix, --fix-only or --diff: apply unsafe fixes too (they change what handlers journal)."),
    click.option("--fix-only", is_flag=True, help="Apply fixes in place and report nothing else."),
    click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them."),
    click.option("--fix-symlinks", is_flag=True, help="With --fix: also write through links to files outside the folders linted."),
    click.option("--exit-non-zero-on-fix", is_flag=True, help="With --fix: exit with 1 when anything was fixed, even if no problem remains."),
    click.option("--add-noqa", metavar="[=REASON]", help="Add `# noqa: CODE` (with ` -- REASON`) to every line with a problem, and stop."),
    click.option("--watch", is_flag=True, help="Lint again whenever a file of the projects changes (Ctrl-C stops)."),
)
show_options = options(
    click.option("--show-files", is_flag=True, help="Print the files that would be linted, and stop."),
    click.option("--show-settings", is_flag=True, help="Print, for each file, its config file and the rules on for it, and stop."),
)
run_options = options(
    click.option("--exit-zero", is_flag=True, help="Exit with 0 even when problems are found."),
    click.option("--stdin-filename", help="The name of the file read from `-` (standard input)."),
    click.option("--force-exclude", is_flag=True, help="Apply the excludes to files named on the command line too."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
    click.option("--cache-dir", type=click.Path(path_type=Path), envvar="RESTATE_LINT_CACHE_DIR", help="Where to keep the cache (default: .restate-lint-cache in each project's root)."),
    click.option("-j", "--jobs", type=click.IntRange(1, 256), help="Processes to lint with (default: the number of CPUs; small runs use one)."),
)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@selection_options
@settings_options
@output_options
@fix_options
@show_options
@run_options
@config_options
def check(paths: tuple[Path, ...], **o) -> None:
    """Lint PATHS (default: the current folder). `-` reads standard input (with --fix, the fixed
    text goes to standard output and the diagnostics to standard error)."""
    jobs = o["jobs"] or os.cpu_count() or 1
    workers = Workers(jobs, start_method=None)
    with fewer_collections():
        try:
            _check(paths, o, jobs, workers)
        finally:
            workers.close()


def _check(paths: tuple[Path, ...], o: dict, jobs: int, workers: Workers) -> None:
    started = time.perf_counter()
    paths = list(paths) or [Path(".")]
    overrides, display = {}, {}
    if Path("-") in paths:
        stdin_path = Path(o["stdin_filename"] or "stdin.py")
        paths = [stdin_path if p == Path("-") else p for p in paths]
        overrides[stdin_path] = sys.stdin.buffer.read()
        display[stdin_path] = o["stdin_filename"] or "-"

    fixing = o["fix"] or o["fix_only"] or o["diff"]
    try:
        _config_options(o["config"], o["no_config"])
        adjust = _adjuster(o)
        check_selectors(adjust(Settings()))
        report = _report_options(o)
        showing = o["show_files"] or o["show_settings"]

        def start_if_cold(root: Path) -> None:
            if surely_parses(root, not o["no_cache"], o["cache_dir"]):
                workers.start()  # they import the parser while the tree is walked

        found = projects(paths, settings_loader(o["config"], o["no_config"], adjust), overrides, before_walk=None if showing else start_if_cold)
        if showing:
            _show(found, o["show_settings"])
            return
        ahead = workers if workers.started else None

        def lint(current: Optional[dict], now: list = found) -> Result:
            return lint_projects(now, current, display, cache=not o["no_cache"], configured_cache=o["cache_dir"], jobs=jobs, workers=ahead)

        if (o["add_noqa"] is not None or o["watch"]) and (fixing or overrides):
            raise ConfigError("--add-noqa and --watch work on files on disk, without --fix, --diff or standard input")
        if o["add_noqa"] is not None:
            sys.exit(_add_noqa(lint({}), o["add_noqa"], paths, report))
        if o["watch"]:
            _watch(found, lambda: projects(paths, settings_loader(o["config"], o["no_config"], adjust)), lambda now: lint(None, now), report)
            return
        if fixing:
            from restate_lint.fixes import fix_paths  # noqa: PLC0415 - only when fixing

            outcome = fix_paths(paths, Settings(), o["unsafe_fixes"], overrides, display, lint=lint)
        else:
            result = lint(overrides)
    except (ConfigError, PathError) as exc:
        _fail(str(exc))
        return
    if not found and not report.silent:
        click.echo("restate-lint: warning: No Python files found under the given paths", err=True)
    root = common_root(found)
    if fixing:
        result = outcome.result
        trees = [p if p.is_dir() else p.parent for p in paths if p not in overrides]
        findings = _apply(outcome, o["diff"], o["fix_only"], report.quiet or report.silent, overrides, o["unsafe_fixes"], trees, o["fix_symlinks"])
        findings = findings or (o["exit_non_zero_on_fix"] and outcome.total_fixed > 0)
        if not o["fix_only"] and not o["diff"]:
            # with standard input fixed, standard output holds the fixed text
            stdin_fixed = any(f.path in overrides for f in outcome.files.values())
            _emit(report, result, root, fixed=outcome.total_fixed, err=stdin_fixed)
    else:
        findings = bool(result.diagnostics)
        _emit(report, result, root)
    if o["verbose"]:
        _print_verbose(found, result, time.perf_counter() - started)
    if result.internal_errors:
        print_internal_errors(result.internal_errors)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if findings and not o["exit_zero"] else EXIT_CLEAN)


def _adjuster(o: dict) -> Callable[[Settings], Settings]:
    """The command line's settings, applied on top of each project's (as Ruff's: flags that name a
    setting replace it, `--extend-*` flags add to it)."""
    per_file = _per_file(o["per_file_ignores"])
    extend_per_file = _per_file(o["extend_per_file_ignores"])
    sdk = parse_version(o["target_sdk_version"]) if o["target_sdk_version"] else None

    def adjust(settings: Settings) -> Settings:
        return replace(
            _selected(settings, o),
            force_exclude=o["force_exclude"] or settings.force_exclude,
            exclude=_codes(o["exclude"], upper=False) or settings.exclude,
            extend_exclude=settings.extend_exclude + _codes(o["extend_exclude"], upper=False),
            per_file_ignores=(per_file or settings.per_file_ignores) + extend_per_file,
            target_sdk_version=sdk or settings.target_sdk_version,
            fixable=_codes(o["fixable"]) or settings.fixable,
            unfixable=settings.unfixable + _codes(o["unfixable"]),
            ignore_noqa=o["ignore_noqa"] or settings.ignore_noqa,
        )

    return adjust


def _selected(settings: Settings, o: dict) -> Settings:
    """The selection options (`selection_options`) applied on top of a project's settings."""
    return replace(settings, select=_codes(o["select"]) or settings.select, extend_select=settings.extend_select + _codes(o["extend_select"]), ignore=settings.ignore + _codes(o["ignore"]))


def _per_file(values: tuple[str, ...]) -> tuple:
    """`--per-file-ignores 'tests/*:RST101,RST2'` -> (("tests/*", ("RST101", "RST2")),)."""
    pairs = []
    for value in values:
        pattern, sep, codes = value.rpartition(":")
        if not sep or not pattern or not codes.strip():
            raise ConfigError(f"--per-file-ignores takes PATTERN:CODES, not {value!r}")
        pairs.append((pattern, _codes((codes,))))
    return tuple(pairs)


def _add_noqa(result: Result, reason: str, paths: list[Path], report: Report) -> int:
    from restate_lint.fixes import write
    from restate_lint.noqa import add_noqa

    files, added = add_noqa(result, reason.strip())
    errors = write(files, [p if p.is_dir() else p.parent for p in paths])
    if errors or result.internal_errors:
        print_internal_errors(errors + result.internal_errors)
        return EXIT_ERROR
    if not report.silent:
        click.echo(f"Added {added} noqa directive{'s' if added != 1 else ''}.", err=True)
    return EXIT_CLEAN


def _watch(found: list, rediscover: Callable[[], list], lint: Callable[[list], Result], report: Report, interval: float = 0.5) -> None:
    """Lint, then again whenever a file of the projects (or their config) changes, is added or
    removed; the cache makes each run cost what changed. Ctrl-C stops."""
    try:
        while True:
            before = _stamps(found)  # taken first: a change made while linting is linted next
            result = lint(found)
            _emit(report, result, common_root(found))
            sys.stdout.flush()
            click.echo("restate-lint: watching for file changes (Ctrl-C stops)", err=True)
            while True:
                time.sleep(interval)
                try:
                    found = rediscover()
                except (ConfigError, PathError) as exc:
                    click.echo(f"restate-lint: error: {exc}", err=True)
                    continue
                if _stamps(found) != before:
                    break
            click.echo("restate-lint: a file changed, linting again", err=True)
    except KeyboardInterrupt:
        return


def _stamps(found: list) -> dict:
    stamps = {}
    for project in found:
        for path in [*project.files, *project.paths, *([project.settings.config_file] if project.settings.config_file else [])]:
            try:
                stat = os.stat(path)
                stamps[path] = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                stamps[path] = None
    return stamps


def _show(found: list, settings: bool) -> None:
    """--show-files: the files, one a line (as Ruff's, absolute and sorted); --show-settings: with
    each, where its settings come from and the rules on for it."""
    files = sorted((path.resolve(), project.settings) for project in found for path in project.paths)
    for path, s in files:
        click.echo(printable(str(path)))
        if settings:
            codes = sorted(s.enabled_codes(path))
            click.echo(f"  project: {printable(str(s.root))}")
            click.echo(f"  config: {printable(str(s.config_file)) if s.config_file else 'none (defaults)'}")
            click.echo(f"  rules ({len(codes)}): {', '.join(codes)}")
            if s.fixable is not None or s.unfixable:
                click.echo(f"  fixable: {', '.join(sorted(s.fixable_codes()))}")


def _report_options(o: dict) -> Report:
    """How to report: the command line, else RESTATE_LINT_OUTPUT_FORMAT (click reads it), else the
    working directory's config (`output-format`), else `full`."""
    fmt = o["fmt"]
    if fmt is None:
        fmt = settings_loader(o["config"], o["no_config"])(project_root(Path("."))).output_format or "full"
        if fmt not in FORMATS:
            raise ConfigError(f"`output-format` must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return Report(fmt, o["statistics"], o["quiet"], o["silent"], o["color"], o["unsafe_fixes"], o["output_file"])


def _emit(report: Report, result: Result, root: Path, fixed: Optional[int] = None, err: bool = False) -> None:
    try:
        report.emit(result, root, fixed, err)
    except OSError as exc:
        _fail(f"cannot write {report.output_file}: {exc.strerror or exc}")


def _print_verbose(found: list, result: Result, seconds: float) -> None:
    """What -v tells on standard error: per project its root, config and files; the cache; the time."""
    for project in found:
        settings = project.settings
        click.echo(f"restate-lint: project {settings.root} (config: {settings.config_file or 'none'}), {len(project.paths)} files", err=True)
        for path in project.paths:
            click.echo(f"restate-lint:   checking {printable(str(path))}", err=True)
    stats = result.cache_stats
    for stage in sorted({kind for kind, _ in stats}):
        click.echo(f"restate-lint: cache {stage}: {stats[stage, 'hit']} hits, {stats[stage, 'miss']} misses", err=True)
    click.echo(f"restate-lint: {result.files} files checked in {seconds:.2f}s", err=True)


def _apply(outcome: Outcome, diff: bool, fix_only: bool, quiet: bool, overrides: dict, unsafe: bool, trees: list[Path], follow_links: bool) -> bool:
    """Write (or with --diff print) the fixes; say what happened. True when the exit code
    should say "findings": problems remain after --fix, or --diff has changes to show."""
    from restate_lint.fixes import MAX_ROUNDS, write

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
@click.argument("code", required=False)
@click.option("--all", "every", is_flag=True, help="Every rule's page.")
@click.option("--output-format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show_rule(code: Optional[str], every: bool, fmt: str) -> None:
    """Print the documentation page of a rule (or, with --all, of every rule)."""
    if (code is None) == (not every):
        _fail("name a rule (`restate-lint rule RST201`) or pass --all")
    codes = sorted(RULES) if every else [code.upper()]
    if codes[0] not in RULES:
        _fail(f"unknown rule {code!r} (see `restate-lint rules`)")
    pages = {c: rule_doc(c) for c in codes}
    missing = [c for c, page in pages.items() if page is None]
    if missing:
        _fail(f"no documentation found for {', '.join(missing)}")
    if fmt == "json":
        import json

        items = [_rule_json(c, pages[c]) for c in codes]
        click.echo(json.dumps(items if every else items[0], indent=2, ensure_ascii=False))
        return
    click.echo("\n".join(pages[c] for c in codes))


def _rule_json(code: str, page: str) -> dict:
    rule = RULES[code]
    return {
        "code": code, "name": rule.name, "severity": rule.severity.value, "fix": rule.fix,
        "default": rule.default_enabled, "family": family(code), "summary": rule.summary, "url": rule.url, "explanation": page,
    }  # fmt: skip


@main.command("config")
@click.argument("key", required=False)
def show_config(key: Optional[str]) -> None:
    """Every setting of `[tool.restate-lint]` with its type, default and meaning (or one KEY's)."""
    if key is not None and key not in OPTIONS:
        _fail(f"unknown setting {key!r} (known: {', '.join(OPTIONS)})")
    for name in [key] if key else OPTIONS:
        kind, default, meaning = OPTIONS[name]
        click.echo(f"{name}\n  type: {kind}\n  default: {default}\n  {meaning}")


@main.command("version")
@click.option("--output-format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def version(fmt: str) -> None:
    """Print restate-lint's version."""
    click.echo(f'{{"version": "{__version__}"}}' if fmt == "json" else f"restate-lint {__version__}")


@main.command("graph")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "json"]), default="mermaid", show_default=True)
@config_options
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
@selection_options
@output_options
@config_options
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when problems are found.")
def compat(path, against, revision, git_dir, **o) -> None:
    """Report what deploying the code under PATH (default: the current folder) breaks for the
    version AGAINST: removed services and handlers, changed types and kinds, changed journals."""
    from restate_lint.deploy.commands import compare_versions
    from restate_lint.deploy.gitrev import GitError

    def adjust(settings: Settings) -> Settings:
        return _selected(settings, o)

    try:
        _config_options(o["config"], o["no_config"])
        check_selectors(adjust(Settings()))
        report = _report_options({**o, "unsafe_fixes": False})
        result, root = compare_versions(path or Path("."), against, revision, git_dir, settings_loader(o["config"], o["no_config"], adjust))
    except (ConfigError, PathError, GitError) as exc:
        _fail(str(exc))
        return
    _emit(report, result, root)
    sys.exit(EXIT_FINDINGS if result.diagnostics and not o["exit_zero"] else EXIT_CLEAN)


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
    workers = Workers()
    workers.start()  # first: they import the parser while the server imports its protocol
    try:
        from restate_lint.lsp.server import serve
    except ImportError as exc:
        workers.close()
        _fail(f"the language server needs pygls ({exc}): pip install 'restate-lint[lsp]'")
        return
    serve(port, workers)
