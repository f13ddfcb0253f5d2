"""Find one subscriber across connections: query-kind recognition and grouping (no Textual here)."""
