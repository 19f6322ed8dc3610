"""Outgoing mail: messages from editable templates, sent after the answer by a backend."""
