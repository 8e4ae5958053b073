"""Paydrop: everything the Lambda functions need at run time."""
