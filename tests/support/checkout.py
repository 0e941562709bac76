"""Test fixtures for the checkout area."""
