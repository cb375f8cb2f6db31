"""Database layer: SQLAlchemy models, engine/session set-up, Alembic migrations, repositories."""
