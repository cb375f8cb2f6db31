"""Reading county and statewide files: ``readers`` (bytes to raw tables) below ``interpret`` (what they mean)."""
