"""Test fixtures for the planning area."""
