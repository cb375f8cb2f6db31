"""Reconciliation engine: compare, diagnose, self-healing loop, public gate. No Qt, no strategies import."""
