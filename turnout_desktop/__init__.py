"""Turnout Desktop: reconcile county turnout uploads with the statewide roster."""

__version__ = "0.1.0"
