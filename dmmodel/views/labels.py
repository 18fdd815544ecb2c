"""Message labels for sequence charts: the short form of ``messages.package_items``, one item per
line, and which packages carry something only the change request adds.
"""

from __future__ import annotations

from dmmodel.protocol.messages import Package, package_items


def carries_cr_addition(package: Package) -> bool:
    """The package carries something only the change request adds (report, ack, type node)."""
    return (package.report is not None or package.ack is not None or package.get_type
            or package.type_result is not None)


def package_label(package: Package, secret: int | None = None) -> str:
    """The package as a multi-line arrow label; ``secret`` is the credential's generation."""
    return "\n".join(short for short, _ in package_items(package, secret=secret))
