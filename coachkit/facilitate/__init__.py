"""Pillar 2, Facilitate: the queue, prep, observations, sessions, actions,
the write-up summary and progress.
"""
