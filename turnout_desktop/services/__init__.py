"""Application services: the one way to do each thing, called by both the CLI and the GUI."""
