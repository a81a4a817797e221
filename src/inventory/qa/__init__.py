"""Quality checks and cross-verification: small named checks returning result rows."""
