"""The privacy tests' world: the two customers' mail run through intake (test_vault makes its own,
encrypted)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.privacy.world import World, seed


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    world = World(tmp_path)
    seed(world)
    yield world
    world.close()
