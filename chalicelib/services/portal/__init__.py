"""Portal: the client portal, the share page of an invoice, the client's files, view tracking."""
