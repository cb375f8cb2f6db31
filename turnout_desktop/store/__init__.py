"""The store layer services and strategies share: statewide loading, the statewide source and roster storage.

It sits above ``engine/`` (a statewide import refuses certified counties and bumps input versions) and below
``strategies/`` and ``services/``, so strategy A reaches the loader without importing a service.
"""
