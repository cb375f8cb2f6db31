"""Plain domain values and pure rules (no Qt, no database): counties, parties, voting methods, VUIDs,
log statuses, accuracy metrics and the public gate."""
