"""Broken configuration: our own is one line and exit 2; another tool's (lock files, dependency
lists) tells nothing, and the newest SDK is assumed."""

from __future__ import annotations

from pathlib import Path

from harness import findings, lint

SWALLOWS = (
    "import restate\n\nsvc = restate.Service('svc')\n\n\n@svc.handler()\n"
    "async def h(ctx: restate.Context) -> None:\n    try:\n        await ctx.sleep(1)\n    except:\n        pass\n"
)
SWALLOWED_AT = 10  # the bare except: RST501 whatever the SDK version


def test_our_malformed_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    cases = {
        "list": b'[tool]\nrestate-lint = ["RST1"]\n',
        "not_utf8": b'[tool.restate-lint]\nselect = ["RST"]\nname = "\xff\xfe"\n',
        "tool_not_a_table": b"tool = 5\n",
        "too_deep": b"# restate-lint\nx = " + b"[" * 100_000 + b"\n",
    }
    for name, content in cases.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "pyproject.toml").write_bytes(content)
        (folder / "h.py").write_text(SWALLOWS)
        done = lint("--config", "pyproject.toml", "h.py", cwd=folder) if name == "tool_not_a_table" else lint("h.py", cwd=folder)
        lines = done.stderr.decode().splitlines()
        assert done.returncode == 2, (name, done.stderr)
        assert len(lines) == 1 and lines[0].startswith("restate-lint: error: ") and "pyproject.toml" in lines[0], (name, lines)


MALFORMED = [
    ("uv.lock", b"package = 5\n"),
    ("uv.lock", b"package = [1, 'x', { name = 'restate-sdk', version = 5 }]\n"),
    ("uv.lock", b"package = '\xff'\n"),
    ("poetry.lock", b"[package]\nname = 'restate-sdk'\n"),
    ("pyproject.toml", b"[project]\ndependencies = 5\noptional-dependencies = ['restate-sdk<0.11']\n"),
    ("pyproject.toml", b"[project]\ndependencies = [5, { a = 1 }]\n[tool]\npoetry = 3\n"),
    ("pyproject.toml", b"tool = 5\n"),
    ("pyproject.toml", b"[tool.poetry.dependencies]\nrestate-sdk = 5\n"),
]


def test_malformed_lock_files_and_dependencies_fall_back_to_the_newest_sdk(tmp_path: Path) -> None:
    for i, (file, content) in enumerate(MALFORMED):
        folder = tmp_path / str(i)
        folder.mkdir()
        if file != "pyproject.toml":
            (folder / "pyproject.toml").write_text("[project]\nname = 'app'\n")
        (folder / file).write_bytes(content)
        (folder / "h.py").write_text(SWALLOWS)
        done = lint("--format", "concise", "h.py", cwd=folder)
        assert (done.returncode, done.stderr) == (1, b""), (file, content)
        assert (SWALLOWED_AT, "RST501") in findings(done)["h.py"], (file, content)
