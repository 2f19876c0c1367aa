"""The composition root: the ``promesa`` program with every area's commands and benchmarks."""
