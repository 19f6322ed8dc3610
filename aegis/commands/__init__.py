"""One module per CLI command; each exposes a function registered on the root app."""
