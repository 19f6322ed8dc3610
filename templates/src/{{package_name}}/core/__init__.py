"""Cross-cutting pieces every feature shares: settings."""
