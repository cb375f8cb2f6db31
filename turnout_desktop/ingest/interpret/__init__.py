"""Raw tables to meaning: layout, header mapping, normalising, roster and summary sheets, counts, pre-check."""
