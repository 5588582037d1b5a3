"""Our own tables (SQLAlchemy 1.4, 2.0-style queries) and the session to use them.

SQLite by default (``var/iv.db``), PostgreSQL through ``IV_DATABASE_URL``.
The schema is owned by Alembic (``migrations/``); ``make setup`` upgrades it.
"""
