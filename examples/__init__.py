"""Marks this folder as a data package, so the wheel carries it (see base/resources.py)."""
