"""The coding tests' fixtures (factories.py)."""

from recordroom.coding.tests.factories import code_sets

__all__ = ["code_sets"]
