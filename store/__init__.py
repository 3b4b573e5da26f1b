"""Persistence: models, engine and sessions, queries, migrations, import/export, bundled data."""
