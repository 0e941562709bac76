"""Test fixtures for the production area."""
