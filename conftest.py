"""Shared pytest fixtures: each app's factories module registers its fixtures (STYLE R10)."""

pytest_plugins = [
    "recordroom.accounts.tests.factories",
]
