"""Bytes to raw tables: safety checks, one reader per format behind ``registry``, the ``raw`` model they build.

Nothing here imports ``ingest.interpret`` (an import-linter contract in pyproject.toml).
"""
