"""Serving the workbooks: who is asking (identity, workshop seats), the front
door, the Voila server and its kernels, the page template and script.
"""
