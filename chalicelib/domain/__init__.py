"""Pure business rules: no AWS, no HTTP, no clock (callers pass `now`)."""
