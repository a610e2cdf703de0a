"""Pillar 3, Improve: the look back, what coaching changed, cadence, indicators,
quality, style review, development, reflections and the self-check.
"""
