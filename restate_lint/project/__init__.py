"""The project layer: module names, summaries, link, reach and the service graph (no libcst)."""
