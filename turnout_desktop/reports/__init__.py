"""Diagnostic reports (PDF, CSV, XLSX) and the one safe export path (escaping, naming, atomic writes)."""
