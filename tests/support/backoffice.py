"""Test fixtures for the backoffice area."""
