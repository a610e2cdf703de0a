"""The DataFrame API for analysts, under the documented name ``coachkit.analysis``.

The module lives in :mod:`coachkit.exchange.analysis`; this name is the same module
object.
"""

import sys

from coachkit.exchange.analysis import __name__ as _real

sys.modules[__name__] = sys.modules[_real]
