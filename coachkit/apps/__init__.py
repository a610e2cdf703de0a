"""The three workbooks: a state object and a view each, over the store."""
