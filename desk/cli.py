"""CLI command of the web page: `refund-intake web`."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add this package's commands to the `refund-intake` parser."""
