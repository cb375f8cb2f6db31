"""The headless ``turnout`` command line: the same services the GUI calls."""
