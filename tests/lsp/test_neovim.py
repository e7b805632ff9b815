"""The README's Neovim 0.7 snippet, as written, in a real headless Neovim (where one is
installed: Debian's is 0.7.2): diagnostics, a config change seen without a restart or any
file event, hover."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_lsp_server import UNAWAITED, project

REPO = Path(__file__).resolve().parents[2]
NVIM = shutil.which("nvim")

pytestmark = pytest.mark.skipif(NVIM is None, reason="Neovim is not installed")

CHECK = r"""
local out = io.open(RESULT, "w")
local function codes(buf)
  local t = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do table.insert(t, d.code .. "@" .. d.lnum) end
  table.sort(t)
  return table.concat(t, ",")
end
vim.cmd("edit counter.py")
local py = vim.api.nvim_get_current_buf()
vim.wait(60000, function() return #vim.diagnostic.get(py) > 0 end, 50)
out:write("open " .. codes(py) .. "\n")
vim.cmd("edit pyproject.toml")  -- a toml buffer: the server is not attached to it
vim.api.nvim_buf_set_lines(0, -1, -1, false, { 'ignore = ["RST202"]' })
vim.cmd("write")
vim.cmd("buffer " .. py)
vim.api.nvim_buf_set_lines(py, -1, -1, false, { "# edited" })
vim.wait(60000, function() return #vim.diagnostic.get(py) == 0 end, 50)
out:write("config changed " .. codes(py) .. "\n")
local params = { textDocument = { uri = vim.uri_from_bufnr(py) }, position = { line = 0, character = 0 } }
vim.api.nvim_buf_set_lines(py, 0, 0, false, { "x = 1  # noqa: RST202" })
params.position.character = 16
for _, r in pairs(vim.lsp.buf_request_sync(py, "textDocument/hover", params, 30000) or {}) do
  out:write("hover " .. (r.result and r.result.contents.value or "none") .. "\n")
end
out:close()
vim.cmd("qall!")
"""


def readme_snippet() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("Neovim 0.7 to 0.10") :]
    return re.search(r"```lua\n(.*?)```", section, re.S).group(1)


def test_the_readme_snippet_in_neovim_follows_a_config_change_without_restart(tmp_path: Path):
    (tmp_path / "proj").mkdir()
    root = project(tmp_path / "proj", {"counter.py": UNAWAITED})
    snippet = readme_snippet()
    assert 'cmd = { "restate-lint", "lsp" }' in snippet
    command = f'cmd = {{ "{sys.executable}", "-m", "restate_lint", "lsp" }}, cmd_env = {{ PYTHONPATH = "{REPO}" }}'
    (tmp_path / "init.lua").write_text(snippet.replace('cmd = { "restate-lint", "lsp" }', command), encoding="utf-8")
    result = tmp_path / "result.txt"
    (tmp_path / "check.lua").write_text(f"RESULT = {str(result)!r}\n" + CHECK, encoding="utf-8")
    subprocess.run([NVIM, "--headless", "-u", str(tmp_path / "init.lua"), "-c", f"luafile {tmp_path / 'check.lua'}"], cwd=root, timeout=300, check=True, capture_output=True)
    lines = result.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["open RST202@7", "config changed "]
    assert lines[2].startswith("hover **RST202** `unawaited-durable-op`")
