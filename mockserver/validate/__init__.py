"""``mockserver validate``: parse, check, report; each a separate piece."""
