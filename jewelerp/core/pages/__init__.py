"""Platform pages: login, home, account and administration."""
