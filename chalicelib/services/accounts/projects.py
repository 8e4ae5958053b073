"""Projects moved to their own context, `services/projects/`; this name stays for code written before."""
from chalicelib.services.projects.projects import create_project, get_project, list_projects, update_project

__all__ = ["create_project", "get_project", "list_projects", "update_project"]
