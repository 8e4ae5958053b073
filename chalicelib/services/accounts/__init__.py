"""Accounts: businesses and their onboarding, clients and contacts, products, projects."""
