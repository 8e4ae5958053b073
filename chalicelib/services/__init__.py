"""Use cases: each combines domain rules, the store and AWS for one thing a user does."""
