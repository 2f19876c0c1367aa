"""Typed agent tools: thin LangChain-facing wrappers over the domain services, scoped by role."""
