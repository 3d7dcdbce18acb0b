"""Every source folder with code is listed for the wheel: a new subpackage left out of
pyproject.toml installs nothing, and its imports fail only once installed from the wheel."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from tests.architecture.imports import ROOT
from tests.architecture.test_layers import BESIDE, LAYERS

OUTSIDE_THE_WHEEL = {"scripts", "benchmarks"}  # run from a checkout only


def packages_under(root: Path, tops: Iterable[str]) -> set[str]:
    """Dotted names of the folders holding an __init__.py, below the given top folders."""
    return {".".join(init.parent.relative_to(root).parts)
            for top in tops for init in (root / top).rglob("__init__.py")
            if "__pycache__" not in init.parts}


def test_every_source_package_is_in_the_wheel() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = packages_under(ROOT, (set(LAYERS) | set(BESIDE)) - OUTSIDE_THE_WHEEL)
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_a_subpackage_is_found_at_any_depth(tmp_path: Path) -> None:
    for folder in ("intake", "intake/guards", "intake/guards/deep", "decisions"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "intake" / "data").mkdir()  # no __init__.py: not a package
    assert packages_under(tmp_path, ["intake"]) == {"intake", "intake.guards", "intake.guards.deep"}
