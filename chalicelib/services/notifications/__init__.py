"""Notifications: mail (SES through the outbox queue), notifications to clients and staff, email preferences."""
