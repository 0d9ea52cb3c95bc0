"""A griffe extension: the Python reference's docstrings from the installed native module.

The package's signatures come from its type stubs (python/connectly/_connectly.pyi), read
statically; the native classes' docstrings are written once, as doc comments in the Rust
source (crates/connectly-python), and reach Python only at run time. For every object of
`connectly._connectly` whose stub has no docstring, this copies the runtime one, so the
reference shows each method's own documentation. mkdocs.yml loads it; `make docs` installs
the wheel into the docs virtualenv first.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import griffe

NATIVE = "connectly._connectly"


class RuntimeDocstrings(griffe.Extension):
    """Fills the native module's missing docstrings from the installed wheel."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Walks the native module once the package is loaded."""
        if pkg.path != "connectly":
            return
        native = pkg.get_member("_connectly")
        runtime = importlib.import_module(NATIVE)
        fill(native, runtime)


def fill(obj: griffe.Object, runtime: Any) -> None:
    """Gives `obj` and its members the runtime docstrings their stubs lack."""
    if obj.docstring is None or not obj.docstring.value.strip():
        doc = inspect.getdoc(runtime)
        if doc and (obj.is_module or doc != inspect.getdoc(type(runtime))):
            obj.docstring = griffe.Docstring(doc, parent=obj)
    if not (obj.is_module or obj.is_class):
        return
    for name, member in obj.members.items():
        if member.is_alias or name.startswith("__"):
            continue
        value = getattr(runtime, name, None)
        if value is not None:
            fill(member, value)
