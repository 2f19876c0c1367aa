"""Benchmarks of the hot paths, each measured beside a plain-SQL reference in the same run.

Benchmarks live in a registry so other areas can add theirs (e.g. ``agent_turn``)::

    from promesa.bench import registry

    @registry.benchmark("agent_turn")
    def agent_turn(ctx: registry.BenchContext) -> registry.BenchResult: ...
"""
