"""Safeguarding: a deterministic detector for disclosures, in both languages,
that runs on every message independent of the ML intent (issue 4)."""
