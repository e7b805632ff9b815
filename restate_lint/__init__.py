"""restate-lint: static analysis for Restate handler code in Python."""

__version__ = "0.1.0"
