"""Engines: each binds data and answers a plan's requests (see plan.py)."""
