"""Events in: typed CloudEvents from the retailer's systems applied once each, in order."""
