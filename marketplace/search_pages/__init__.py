"""Search pages and the search API (engine results loaded back from the database; database fallback)."""
