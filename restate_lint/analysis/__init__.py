"""Intra-module analyses over a model: effects, data flow, sources, calls, and the summary."""
