"""Random ops on a counter-based (Philox) generator, so every backend can produce the same numbers."""
