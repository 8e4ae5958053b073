"""Recurring invoices: templates staff make from an invoice, and the periods the scheduler issues."""
