"""Plain domain values (no Qt, no database): counties, parties, voting methods, VUIDs."""
