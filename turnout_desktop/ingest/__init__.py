"""Reading county and statewide files: safe raw readers, layout detection, normalisation, pre-check."""
