"""Kubernetes name validation, as apimachinery's ``pkg/util/validation`` words it.

Each function returns the list of error messages (empty when the value is valid)::

    >>> from kroute import validation
    >>> validation.dns1123_label("web-1")
    []
    >>> validation.port_number(0)
    ['must be between 1 and 65535, inclusive']
"""

from __future__ import annotations

from kroute import _native

__all__ = [
    "dns1035_label",
    "dns1123_label",
    "dns1123_subdomain",
    "label_value",
    "port_name",
    "port_number",
    "qualified_name",
    "wildcard_dns1123_subdomain",
]

_I64 = (-(2**63), 2**63 - 1)


def dns1123_label(value: str) -> list[str]:
    """``IsDNS1123Label``: a lowercase RFC 1123 label of at most 63 characters (namespaces,
    ServicePort names, hostnames)."""
    return _native.validate("dns1123_label", value)


def dns1123_subdomain(value: str) -> list[str]:
    """``IsDNS1123Subdomain``: dot-separated RFC 1123 labels, at most 253 characters (most
    object names)."""
    return _native.validate("dns1123_subdomain", value)


def dns1035_label(value: str) -> list[str]:
    """``IsDNS1035Label``: a DNS-1123 label starting with a letter (Service names)."""
    return _native.validate("dns1035_label", value)


def wildcard_dns1123_subdomain(value: str) -> list[str]:
    """``IsWildcardDNS1123Subdomain``: ``*.`` and a DNS-1123 subdomain (Ingress hosts)."""
    return _native.validate("wildcard_dns1123_subdomain", value)


def qualified_name(value: str) -> list[str]:
    """``IsQualifiedName``: a label key, ``[prefix/]name``."""
    return _native.validate("qualified_name", value)


def label_value(value: str) -> list[str]:
    """``IsValidLabelValue``: empty, or at most 63 characters of ``[-A-Za-z0-9_.]`` starting
    and ending with an alphanumeric."""
    return _native.validate("label_value", value)


def port_name(value: str) -> list[str]:
    """``IsValidPortName`` (IANA_SVC_NAME): at most 15 characters of ``[-a-z0-9]``, at least
    one letter, no ``--``, no hyphen at either end."""
    return _native.validate("port_name", value)


def port_number(value: int) -> list[str]:
    """``IsValidPortNum``: an integer from 1 to 65535."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"port_number() takes an int, not {type(value).__name__}")
    return _native.port_number(min(max(value, _I64[0]), _I64[1]))
