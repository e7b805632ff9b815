"""The language server (`restate-lint lsp`); needs the `lsp` extra (pygls)."""
