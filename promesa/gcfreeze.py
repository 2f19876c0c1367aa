"""Keep the garbage collector off the objects a process loads at start-up.

A full collection walks every tracked object; after importing SQLAlchemy, pydantic, LangGraph
and the domain that is ~100k objects, and on the 2-core VMs this runs on such a walk takes
50–80 ms — a pause in whichever request triggers it. ``gc.freeze()`` (Python ≥ 3.7) moves what
exists now to a permanent generation the collector skips, so collections only walk what requests
create. Long-running processes (``promesa serve``, ``promesa bench``) call this once, after
importing what they serve.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect once, then freeze everything that survived (call after the imports)."""
    gc.collect()
    gc.freeze()
