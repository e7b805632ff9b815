"""One module's Restate model: imports, scopes, services, contexts, operations, journal regions."""
