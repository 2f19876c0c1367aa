"""Promesa's HTTP API (FastAPI) and its agent-facing command line."""
