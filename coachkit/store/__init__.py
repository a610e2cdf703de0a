"""The store: the SQL schema, migrations, access rules, versioned updates and
queries. The only layer that knows SQL tables; it imports nothing above it.
"""
