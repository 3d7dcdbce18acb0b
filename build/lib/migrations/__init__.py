"""Alembic migrations for the refund-intake database."""
