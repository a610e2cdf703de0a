"""The three workbooks: a state object and a view each, over the store."""

import sys

# altair imports jsonschema, which at import builds a grammar for its "iri" format
# check from the optional rfc3987_syntax package: 1.3 s of a workbook kernel's CPU
# (python -X importtime; benchmarks/RESULTS.md). Vega-Lite's schema never asks for
# that format (tests/test_lazy_loading.py checks), so workbook kernels go without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
