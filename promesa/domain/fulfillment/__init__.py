"""Fulfillment decisions: sourcing profiles, the shipping rate card, reroute options and their execution."""
