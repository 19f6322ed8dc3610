"""Authentication: users, sessions, password hashing, tokens and their routes."""
