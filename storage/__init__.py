"""Booking requests and conversations as stored: SQLAlchemy over SQLite or PostgreSQL."""
