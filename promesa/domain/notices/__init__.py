"""Customer notices: drafted from structured fields in the customer's language, kept in an
outbox per channel (one per order, trigger and channel), sent after quiet hours by a pluggable
sender (SMTP, webhook), optionally after a staff approval."""
