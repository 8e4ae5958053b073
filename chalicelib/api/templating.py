"""The client pages' Jinja2 environment, shared by the app and by `infra/postpackage.py`.

The package step compiles `chalicelib/templates` into Python modules with these same options
(`Environment.compile_templates`), so in Lambda the pages load as bytecode through Jinja2's
`ModuleLoader` instead of being lexed, parsed and compiled on every cold start. Options that
shape the generated code (autoescape, whitespace control) must therefore live here only;
globals and filters are added at run time, to either kind of loader alike.
"""
from __future__ import annotations

import os
from typing import Any

CHALICELIB = os.path.dirname(os.path.dirname(__file__))
TEMPLATES = os.path.join(CHALICELIB, "templates")
# Written only into the deployment zip by infra/postpackage.py (never into the work tree).
COMPILED_FOLDER = "templates_compiled"
COMPILED_TEMPLATES = os.path.join(CHALICELIB, COMPILED_FOLDER)


def environment(loader: Any) -> Any:
    """A Jinja2 environment with the pages' options over `loader`."""
    import jinja2

    return jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)


def page_loader(compiled: str | None = None) -> Any:
    """The precompiled templates when the package has them (Lambda), else the sources."""
    import jinja2

    compiled = compiled or COMPILED_TEMPLATES
    if os.path.isdir(compiled):
        return jinja2.ModuleLoader(compiled)
    return jinja2.FileSystemLoader(TEMPLATES)
