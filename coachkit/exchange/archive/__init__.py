"""Archives: export every table, check a store's health, restore into an empty
store.
"""
