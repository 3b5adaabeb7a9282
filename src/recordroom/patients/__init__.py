"""The master patient index: register, find and show patients (issue #5)."""
