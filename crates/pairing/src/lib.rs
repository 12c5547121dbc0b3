//! Pourover's pairing engine. Pure: no I/O, no platform types; deterministic for a seed.
