"""What every pillar shares: the team, users, the framework and its templates and
forks, plans, goals, periods, rates, styles, readability and pure chart specs.
"""
