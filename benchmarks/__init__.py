"""Measured speed of refund-intake against the floor the hardware and its libraries allow.

Run `scripts/bench [--quick]`; the README's Performance section explains each figure.
"""
