"""Tests of the pure decision core, mirroring decisions/."""
