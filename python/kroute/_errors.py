"""The exceptions of kroute: input that cannot be read at all, or wrong use of the API.

Problems inside readable manifests are not exceptions: they are ``Cluster.diagnostics``.
Every exception is a :class:`KrouteError`, itself a :class:`ValueError`, and carries where it
happened: ``document`` (0-based index of the YAML/JSON document, or of the object in a list),
``line`` and ``column`` (1-based; for selectors ``column`` is the character position) and
``field`` (a path like ``spec.ports[0].port``), each ``None`` when unknown.
"""

from __future__ import annotations

from typing import Any

__all__ = ["KrouteError", "ManifestError", "RequestError", "SelectorError"]


class KrouteError(ValueError):
    """Base class of kroute's errors, with the kind and location of the failure."""

    #: ``"Manifest"``, ``"Selector"`` or ``"Request"`` (the core's ``ErrorKind``).
    kind: str = ""

    def __init__(
        self,
        message: str,
        kind: str | None = None,
        document: int | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, kind, document, line, column, field)
        self.message = message
        if kind is not None:
            self.kind = kind
        self.document = document
        self.line = line
        self.column = column
        self.field = field

    def __str__(self) -> str:
        # The same rendering as the Rust error's Display.
        out = ""
        if self.document is not None:
            out += f"document {self.document}" + (", " if self.line is not None else ": ")
        if self.line is not None and self.column is not None:
            out += f"line {self.line}, column {self.column}: "
        elif self.line is not None:
            out += f"line {self.line}: "
        elif self.column is not None and self.kind == "Selector":
            out += f"position {self.column}: "
        if self.field is not None:
            out += f"{self.field}: "
        return out + self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, kind={self.kind!r}, "
            f"document={self.document!r}, line={self.line!r}, column={self.column!r}, "
            f"field={self.field!r})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The error in the canonical JSON shape of the shared vectors."""
        return {
            "kind": self.kind,
            "message": self.message,
            "document": self.document,
            "line": self.line,
            "column": self.column,
            "field": self.field,
        }


class ManifestError(KrouteError):
    """Manifest text or objects that cannot be read: bad YAML/JSON, a tab in indentation,
    a string where an object belongs (``metadata: kubia``)."""

    kind = "Manifest"


class SelectorError(KrouteError):
    """A label selector that does not parse or validate (``app in (a``, ``a b``)."""

    kind = "Selector"


class RequestError(KrouteError):
    """A query or option that is malformed: an unknown Service, an invalid ``service_cidr``."""

    kind = "Request"
