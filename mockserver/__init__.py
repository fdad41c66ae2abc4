"""mockserver: a contract-testing mock server for OpenAPI 2.0, 3.0 and 3.1."""

__version__ = "0.1.0"
