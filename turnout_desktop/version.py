"""The application's version: the one place it is written (pyproject.toml reads it, the About box shows it)."""

__version__ = "0.1.0"
