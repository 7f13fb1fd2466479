"""What ``a op b`` means for measured values: a tolerance, and how far a value falls short (SPEC §7.3)."""

from __future__ import annotations

TOLERANCE = 1e-9


def holds(op: str, a: float, b: float) -> bool:
    """``a op b`` with values within 1e-9 (relative) of each other counted equal (SPEC §7.3)."""
    tol = TOLERANCE * max(abs(a), abs(b))
    if op == ">=":
        return a >= b - tol
    if op == ">":
        return a > b + tol
    if op == "<=":
        return a <= b + tol
    if op == "<":
        return a < b - tol
    if op == "=":
        return abs(a - b) <= tol
    return abs(a - b) > tol


def shortfall(op: str, a: float, b: float) -> float:
    """How far *a* is from satisfying ``a op b``, never negative.

    A strict comparison that fails because the sides are equal within the
    tolerance has a shortfall of 0, not the tiny negative difference.
    """
    if op in (">=", ">"):
        return max(0.0, b - a)
    if op in ("<=", "<"):
        return max(0.0, a - b)
    return abs(a - b)
