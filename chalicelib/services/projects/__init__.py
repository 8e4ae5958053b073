"""Projects: a client's piece of work with ordered milestones, the invoices it bills through,
and the client's view of it in the portal (`client_projects`)."""
