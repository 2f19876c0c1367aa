"""Proactive orchestration: triggers → proposals → autonomy policy → execute or queue; notices.

- :mod:`config`: the autonomy and notice policies (Settings fields; no database imports here);
- :mod:`triggers`: which orders a trigger touches (carrier delay, stock loss, capacity drop,
  node closure, missed cut-off, pickup hold ending), from the risk scan and the pickup holds;
- :mod:`autonomy`: whether a proposal may run alone, and the rule that says so;
- :mod:`offers`: a pickup that keeps the promise is offered to the customer, whose "yes" runs it;
- :mod:`notify`: the notices' structured fields from the order;
- :mod:`run`: one pass (``promesa orchestrate``), and staff's approve / reject / revert.
"""
