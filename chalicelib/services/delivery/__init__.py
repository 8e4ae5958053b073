"""Delivery: resources, attachments, unlock after payment, grants and the access log, downloads, claims, previews."""
