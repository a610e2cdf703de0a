"""The look back over a period: what was held, what changed, what was kept."""
