"""Encounters: the ADT (admit, discharge, transfer) history of each patient stay (issue #5)."""
