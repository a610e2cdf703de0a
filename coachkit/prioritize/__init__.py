"""Pillar 1, Prioritize: assessing, performance, ranking and planning."""
