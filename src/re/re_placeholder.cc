// Replaced by the pattern engine.
