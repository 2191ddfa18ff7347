"""Django's SQLite backend, except that it makes the database's folder on first open."""
