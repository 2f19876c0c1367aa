"""Customer self-service actions: cancel, change address, return, refund status, claims, complaints.

Each write is a proposal first (``propose_*``: exactly what would change, or precisely why it
cannot), then an execution after the customer's confirmation or a staff approval that re-checks
everything under row locks, runs once per idempotency key and is audited (DESIGN rules 3 and 4).
"""
