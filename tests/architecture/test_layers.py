"""Imports run one way: from the entry points at the top down to the pure core (README, Layout)."""

from __future__ import annotations

from pathlib import Path

from tests.architecture.imports import (
    ROOT,
    cycles,
    module_graph,
    package_graph,
    package_of,
    source_files,
)

# Top to ground. A package may import only packages after it in this list.
LAYERS = ("scripts", "benchmarks", "refund_intake", "desk", "pipeline", "intake", "replies", "privacy",
          "staff", "mail", "base", "decisions")
# Beside the house: the migrations read the models; the test servers stand alone.
BESIDE = {"migrations": {"base"}, "testing": set()}


def test_every_source_package_has_a_place() -> None:
    packages = {package_of(path.relative_to(ROOT).parts[0]) for path in source_files()}
    assert packages == set(LAYERS) | set(BESIDE), "place a new package in LAYERS (top to ground)"


def test_packages_import_only_the_layers_below_them() -> None:
    upward = []
    for package, targets in package_graph(module_graph()).items():
        for target in targets:
            allowed = BESIDE[package] if package in BESIDE else set(LAYERS[LAYERS.index(package) + 1:])
            if package == "benchmarks":
                allowed = allowed | {"testing"}  # it starts the same servers the tests start
            if target not in allowed:
                upward.append(f"{package} -> {target}")
    assert not upward, f"imports against the layers: {sorted(upward)}"


def test_no_import_loop_between_files() -> None:
    assert cycles(module_graph()) == []


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_graph_sees_imports_inside_functions_and_ignores_type_checking(tmp_path: Path) -> None:
    write(tmp_path, "low/__init__.py", "")
    write(tmp_path, "low/a.py", "def f():\n    from high import b\n")
    write(tmp_path, "high/__init__.py", "")
    write(tmp_path, "high/b.py", "from low.a import f\n")
    write(tmp_path, "high/c.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                 "    from high import b\nfrom . import b as again\n")
    graph = module_graph(tmp_path)
    assert graph["low.a"] == {"high.b"} and graph["high.b"] == {"low.a"}
    assert graph["high.c"] == {"high.b"}
    assert cycles(graph) == [["high.b", "low.a"]]
    assert cycles(package_graph(graph)) == [["high", "low"]]
