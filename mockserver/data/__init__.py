"""Fixture datasets and the behaviour declarations that bind them to operations."""
