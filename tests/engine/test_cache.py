"""The content cache: where it lives, that a fully cached run parses nothing, and that a broken
entry is rebuilt rather than trusted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from samples import HANDLER

CACHED_RUN = """
import sys
from restate_lint import pool
from restate_lint.cli import main
started = []
start = pool.Processes._start
pool.Processes._start = lambda self, i: (started.append(i), start(self, i))
try:
    main(["check", "--format", "concise", "."])
except SystemExit as exit:
    code = exit.code
print("libcst imported" if "libcst" in sys.modules else "libcst not imported", file=sys.stderr)
print("a worker parsed" if started else "nothing parsed", file=sys.stderr)
sys.exit(code)
"""


def project(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text("[tool.restate-lint]\n")
    (tmp_path / "greeter.py").write_text(HANDLER)
    (tmp_path / "plain.py").write_text("print('no restate here')\n")
    return tmp_path


def run(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RESTATE_LINT_CACHE_DIR"} | (env or {})
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def test_a_fully_cached_run_parses_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    first, second = run(root, "-c", CACHED_RUN), run(root, "-c", CACHED_RUN)
    assert "a worker parsed" in first.stderr  # in its own process: this one needs no libcst
    assert "nothing parsed" in second.stderr and "libcst not imported" in second.stderr, second.stderr
    assert first.stdout == second.stdout and "greeter.py:10:5: RST202" in second.stdout
    assert (root / ".restate-lint-cache" / "CACHEDIR.TAG").is_file()
    (root / "greeter.py").write_text(HANDLER + "\n# edited\n")
    edited = run(root, "-c", CACHED_RUN)  # parsed in a worker process: this one hands it over
    assert "a worker parsed" in edited.stderr and "libcst not imported" in edited.stderr, edited.stderr
    assert edited.stdout == first.stdout


def test_no_cache_writes_nothing_and_cache_dir_moves_it(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    run(root, "-m", "restate_lint", "--no-cache", ".")
    assert not (root / ".restate-lint-cache").exists()
    run(root, "-m", "restate_lint", "--cache-dir", str(tmp_path / "elsewhere"), ".")
    run(root, "-m", "restate_lint", ".", env={"RESTATE_LINT_CACHE_DIR": str(tmp_path / "from-env")})
    assert (tmp_path / "elsewhere" / "CACHEDIR.TAG").is_file() and (tmp_path / "from-env" / "CACHEDIR.TAG").is_file()
    assert not (root / ".restate-lint-cache").exists()


def test_broken_entries_are_rebuilt_not_trusted(tmp_path: Path) -> None:
    root = project(tmp_path)
    expected = run(root, "-m", "restate_lint", "--format", "concise", "--no-cache", ".").stdout
    run(root, "-m", "restate_lint", ".")
    entries = [p for p in (root / ".restate-lint-cache").rglob("*") if p.is_file() and p.parent.name != ".restate-lint-cache"]
    assert entries
    for index, entry in enumerate(entries):  # truncated, garbage, a pickle of something else
        entry.write_bytes([b"", b"\x80\x04garbage", b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x05."][index % 3])
    again = run(root, "-m", "restate_lint", "--format", "concise", ".")
    assert again.stdout == expected and again.returncode == 1, again.stderr
    assert "Traceback" not in again.stderr


def test_an_edit_is_seen_through_the_cache(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert "RST202" in run(root, "-m", "restate_lint", ".").stdout
    (root / "greeter.py").write_text(HANDLER.replace("    ctx.sleep(", "    await ctx.sleep("))
    assert run(root, "-m", "restate_lint", "--output-format", "concise", ".").stdout == ""


def test_clean_removes_the_cache(tmp_path: Path) -> None:
    root = project(tmp_path)
    run(root, "-m", "restate_lint", ".")
    done = run(root, "-m", "restate_lint", "clean")
    assert done.returncode == 0 and not (root / ".restate-lint-cache").exists()


def test_entries_of_another_build_of_the_same_version_are_not_read(tmp_path: Path) -> None:
    """A changed rule or summary under an unchanged version number keys the cache anew."""
    import shutil

    import restate_lint
    from restate_lint.cache import build, build_of

    package = Path(restate_lint.__file__).parent
    copy = tmp_path / "restate_lint"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert build_of(copy) == build_of(package) == build()
    rule = copy / "rules" / "determinism.py"
    rule.write_text(rule.read_text() + "\n# changed\n")
    assert build_of(copy) != build()
    assert build_of(copy).startswith(restate_lint.__version__ + "-")


def test_a_run_is_kept_whole_and_a_helper_edit_reaches_it(tmp_path: Path) -> None:
    """A run whose every input is unchanged reads one entry; an edit to a module that is not
    named (a helper the handler calls) is an input too."""
    root = tmp_path
    (root / "pyproject.toml").write_text("[tool.restate-lint]\n")
    (root / "handlers.py").write_text(
        "import restate\n\nimport util\n\nsvc = restate.Service('S')\n\n\n"
        "@svc.handler()\nasync def rate(ctx: restate.Context, currency: str) -> float:\n"
        "    return util.fetch_rate(currency)\n"
    )
    io = "import urllib.request\n\n\ndef fetch_rate(currency: str) -> float:\n    return float(urllib.request.urlopen(currency).read())\n"
    pure = "def fetch_rate(currency: str) -> float:\n    return 1.0\n"
    lint = ("-m", "restate_lint", "-v", "--output-format", "concise", "handlers.py")
    (root / "util.py").write_text(io)
    first, second = run(root, *lint), run(root, *lint)
    assert "handlers.py:10:12: RST107" in first.stdout and second.stdout == first.stdout
    assert "cache run: 0 hits, 1 misses" in first.stderr and "cache run: 1 hits, 0 misses" in second.stderr
    assert "cache check" not in second.stderr  # nothing else was asked for
    (root / "util.py").write_text(pure)
    assert run(root, *lint).stdout == ""
    (root / "util.py").write_text(io)
    assert run(root, *lint).stdout == first.stdout


def test_a_process_writes_its_per_file_entries_as_one_pack_per_kind(tmp_path: Path) -> None:
    root = project(tmp_path)
    for n in range(5):
        (root / f"more_{n}.py").write_text(HANDLER)
    run(root, "-m", "restate_lint", "--jobs", "1", ".")  # one worker process (each writes its own packs)
    (build,) = [p for p in (root / ".restate-lint-cache").iterdir() if p.is_dir()]
    files = {kind.name: sorted(p.name for p in kind.iterdir()) for kind in build.iterdir()}
    assert set(files) == {"summary", "check", "syntax", "link", "run"}, files
    for kind in ("summary", "check", "syntax"):
        assert len(files[kind]) == 1 and files[kind][0].startswith("pack-"), files  # not one file per module
    assert len(files["run"]) == len(files["link"]) == 1


def test_packs_beyond_the_bound_are_merged_and_every_entry_survives(tmp_path: Path) -> None:
    from restate_lint.cache import Cache

    folder = tmp_path / "cache"
    count = Cache.MAX_PACKS + 3
    for n in range(count):  # one process each, as one run each would
        writer = Cache(folder)
        writer.put("summary", f"key{n}", ("summary", n))
        writer.put("check", f"key{n}", ["check", n])
        writer.flush()
    packs = lambda kind: sorted(p for p in folder.rglob("pack-*") if p.parent.name == kind)  # noqa: E731
    assert len(packs("summary")) == len(packs("check")) == count
    reader = Cache(folder)
    assert [reader.get("summary", f"key{n}") for n in range(count)] == [("summary", n) for n in range(count)]
    reader.flush()  # it read more packs of summaries than the bound: they are merged into one
    assert len(packs("summary")) == 1 and len(packs("check")) == count  # checks were not read
    fresh = Cache(folder)
    assert [fresh.get("summary", f"key{n}") for n in range(count)] == [("summary", n) for n in range(count)]
    assert fresh.get("check", "key0") == ["check", 0] and fresh.get("summary", "missing") is None


def test_a_pack_that_does_not_verify_is_skipped_and_the_others_are_read(tmp_path: Path) -> None:
    from restate_lint.cache import Cache

    folder = tmp_path / "cache"
    writer = Cache(folder)
    writer.put("summary", "key0", 0)
    writer.flush()
    (first,) = folder.rglob("pack-*")
    writer.put("summary", "key1", 1)
    writer.flush()
    data = bytearray(first.read_bytes())
    data[-3] ^= 0xFF  # a byte of its pickle changed: the signature no longer matches
    first.write_bytes(bytes(data))
    reader = Cache(folder)
    assert reader.get("summary", "key0") is None and reader.get("summary", "key1") == 1


def test_the_walk_does_not_enter_the_cache_folder(tmp_path: Path) -> None:
    """Its own .gitignore would keep its files out, but reading that costs a warm run pathspec's import."""
    root = project(tmp_path)
    run(root, "-m", "restate_lint", ".")
    (root / ".restate-lint-cache" / "planted.py").write_text(HANDLER)
    script = "import sys\nfrom restate_lint.cli import main\ntry:\n    main(['--output-format', 'concise', '.'])\nexcept SystemExit:\n    pass\nprint('pathspec' in sys.modules, file=sys.stderr)\n"
    warm = run(root, "-c", script)
    assert "greeter.py" in warm.stdout and "planted.py" not in warm.stdout
    assert warm.stderr.strip() == "False", warm.stderr
