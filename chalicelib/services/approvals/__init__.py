"""Deliverables and approvals: a project's file marked "needs approval", its versions, the
client's one decision per version, and the comments of both sides."""
