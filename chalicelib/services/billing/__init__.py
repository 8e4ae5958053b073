"""Billing: invoices and quotes, credits, the ledger, share links, invoice emails, statements, PDFs."""
