"""Deployment safety across versions: the service manifest the code defines (`restate-lint
manifest`), and what changes between two versions of it break in-flight invocations, callers or
state (`restate-lint compat`, the RST8xx rules)."""
