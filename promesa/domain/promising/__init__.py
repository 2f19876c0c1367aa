"""Promising: delivery and pickup dates quoted on finite capacity, and orders placed on them.

- :mod:`zones`: a postal code → its delivery zone (a city we serve) and whether same-day runs there;
- :mod:`slots`: remaining capacity of each node-day (capacity − committed load − carried backlog);
- :mod:`quote`: the options of one SKU for a postal code (ship per service level, same-day, pickup);
- :mod:`checkout`: a cart's shipment plan (one node, or a split);
- :mod:`placement`: placing an order on a plan — stock and one node-day slot reserved in the
  transaction that writes the promise, a stale quote re-checked;
- :mod:`cache`: quotes cached per (sku, zone, state generation), dropped by the writes that move it.
"""
