"""``promesa simulate``: a seeded peak week replayed through the real services under three
promising policies, side by side (:mod:`scenario` builds the world and the event stream,
:mod:`runner` replays it, :mod:`report` writes the JSON and HTML)."""
