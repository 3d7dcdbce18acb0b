"""Generates the mail corpora: examples/ (demo Maildir, orders) and tests/corpus/ (classify,
malformed). This script is their source of truth; re-running it rewrites identical bytes.

    python -m tests.corpus.make_corpus            # rewrite the files in this repository
    python -m tests.corpus.make_corpus --check    # exit 1 if any file differs from the script
    python -m tests.corpus.make_corpus --root DIR # write the tree under DIR instead

Tests import the generators of the cases too big to commit:

    from tests.corpus.make_corpus import make_large_attachment_message, make_many_parts_message
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.corpus.classify_corpus import classify_files
from tests.corpus.examples_tree import examples_files
from tests.corpus.malformed_corpus import (
    make_huge_header_message,
    make_large_attachment_message,
    make_many_parts_message,
)
from tests.corpus.malformed_files import malformed_files

REPOSITORY = Path(__file__).resolve().parents[2]

# The directories this script owns entirely: files in them that it does not generate are stale.
# (examples/ itself is shared: the demo configuration lives there too.)
OWNED_DIRECTORIES = (
    "examples/sample-mailbox",
    "tests/corpus/classify",
    "tests/corpus/malformed",
)

__all__ = [
    "all_files",
    "make_huge_header_message",
    "make_large_attachment_message",
    "make_many_parts_message",
    "write_tree",
]


def all_files() -> dict[str, bytes]:
    """Every generated file, keyed by its path relative to the repository root."""
    files: dict[str, bytes] = {}
    for directory, tree in (
        ("examples", examples_files()),
        ("tests/corpus/classify", classify_files()),
        ("tests/corpus/malformed", malformed_files()),
    ):
        files.update({f"{directory}/{name}": data for name, data in tree.items()})
    return files


def stale_files(root: Path, files: dict[str, bytes]) -> list[str]:
    """Files under the owned directories that the generator no longer produces."""
    found = []
    for directory in OWNED_DIRECTORIES:
        for path in sorted((root / directory).rglob("*")):
            relative = path.relative_to(root).as_posix()
            if path.is_file() and relative not in files:
                found.append(relative)
    return found


def write_tree(root: Path) -> list[str]:
    """Writes every file under root, removes stale ones, returns the paths that changed."""
    files = all_files()
    changed = []
    for relative in stale_files(root, files):
        (root / relative).unlink()
        changed.append(relative)
    for relative, data in files.items():
        path = root / relative
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        changed.append(relative)
    return changed


def differences(root: Path) -> list[str]:
    """Paths whose bytes differ from the generator's, are missing, or are stale."""
    files = all_files()
    differ = [rel for rel, data in files.items()
              if not (root / rel).is_file() or (root / rel).read_bytes() != data]
    return differ + stale_files(root, files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPOSITORY,
                        help="repository root to write under (default: this repository)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a file differs from the generator")
    options = parser.parse_args(argv)
    if options.check:
        differ = differences(options.root)
        for relative in differ:
            print(f"differs: {relative}")
        return 1 if differ else 0
    for relative in write_tree(options.root):
        print(f"wrote: {relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
