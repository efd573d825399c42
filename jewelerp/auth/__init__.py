"""Login, server-side sessions, password hashing and permission checks."""
