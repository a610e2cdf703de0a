"""Data in and out: the CSV importer, archives (export, restore, check), reports
and the DataFrame API for analysts.
"""
