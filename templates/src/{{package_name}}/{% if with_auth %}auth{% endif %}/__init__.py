"""Authentication: users, password hashing, JWT access tokens and their routes."""
