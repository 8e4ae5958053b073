"""Payments: Stripe Checkout (and the local offline checkout), the Stripe gateway, Stripe events."""
