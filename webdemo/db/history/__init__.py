"""The revision history: the revision files, their index and graph, the phases,
and the script directory as Alembic loads it."""
