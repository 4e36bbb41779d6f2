"""Roadmap pages, one module per use case: thin views over roadmap/selectors.py and
roadmap/services."""
