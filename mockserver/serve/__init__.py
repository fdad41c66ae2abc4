"""Serving: the one router, request checks, behaviours, responses and error shapes."""
