"""Test fixtures for the tracker area."""
