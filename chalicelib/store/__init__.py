"""PynamoDB models on one table, and the queries the app needs. Only this package builds keys."""
