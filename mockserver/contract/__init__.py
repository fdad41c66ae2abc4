"""Property-based contract tests: requests generated from a document, checks on responses."""
