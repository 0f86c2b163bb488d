"""Guided flows: one short question per page, answers kept as a draft at every step."""
