"""Reports to print or share: plans, sessions and a team's period."""
