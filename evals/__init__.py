"""The eval harness: YAML cases run against the whole agent, scored, reported and gated."""
