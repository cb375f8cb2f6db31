"""Reconciliation engine: compare, diagnose, self-healing loop, the facts the public gate (domain/gate.py) decides
on. No Qt, no strategies import."""
