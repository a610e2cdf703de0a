"""The store's tables, under the documented name ``coachkit.schema``.

The module lives in :mod:`coachkit.store.schema`; this name is the same module object.
"""

import sys

from coachkit.store.schema import __name__ as _real

sys.modules[__name__] = sys.modules[_real]
