"""Absolute imports resolve as in Python 3: from the root or a script folder, never from a
package's own folder, and the SDK's name never from a script folder."""

from __future__ import annotations

from pathlib import Path

from restate_lint.project.files import ModuleNames


def _names(root: Path, *files: str) -> ModuleNames:
    paths = []
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
        paths.append(path.resolve())
    return ModuleNames(root, paths)


def test_inside_a_package_an_absolute_import_is_top_level(tmp_path: Path) -> None:
    names = _names(tmp_path, "app/__init__.py", "app/orders.py", "app/restate/__init__.py", "app/utils.py")
    resolve = names.resolver((tmp_path / "app/orders.py").resolve())
    assert resolve("restate") == "restate"
    assert resolve("utils") == "utils"  # Python 3: `import utils` is not `app.utils`
    assert resolve("app.utils") == "app.utils"


def test_a_script_folder_finds_its_neighbours_but_not_an_sdk_namesake(tmp_path: Path) -> None:
    names = _names(tmp_path, "examples/greeter/app.py", "examples/greeter/utils.py", "examples/greeter/restate.py")
    resolve = names.resolver((tmp_path / "examples/greeter/app.py").resolve())
    assert resolve("utils") == "examples.greeter.utils"
    assert resolve("restate") == "restate"
    assert resolve("restate.exceptions") == "restate.exceptions"


def test_the_parent_of_a_package_is_where_its_name_resolves(tmp_path: Path) -> None:
    names = _names(tmp_path, "services/shop/app/__init__.py", "services/shop/app/main.py", "services/shop/app/db.py")
    resolve = names.resolver((tmp_path / "services/shop/app/main.py").resolve())
    assert resolve("app.db") == "services.shop.app.db"


def test_src_layout_module_named_like_the_sdk(tmp_path: Path) -> None:
    names = _names(tmp_path, "src/shop/__init__.py", "src/shop/restate.py", "src/shop/carts.py")
    resolve = names.resolver((tmp_path / "src/shop/carts.py").resolve())
    assert resolve("restate") == "restate"
    assert resolve("shop.restate") == "shop.restate"
