"""The whole contract suite against the in-process mock, one test per operation.

This is the pytest entry point users get (``mockserver.testing.contract_test``),
run here under the derandomized ``ci`` Hypothesis profile: the unmodified mock passes every
check of every vendored document.
"""

from __future__ import annotations

import pytest

from mockserver.testing import contract_test
from tests.conftest import FIXTURES, SPECS

pytestmark = pytest.mark.slow  # every operation of the four vendored APIs

test_losant = contract_test(SPECS / "losant.yaml", fixtures=FIXTURES)
test_launchdarkly = contract_test(SPECS / "launchdarkly.yaml", fixtures=FIXTURES)
test_anaconda = contract_test(SPECS / "anaconda.yaml", fixtures=FIXTURES)
test_gorules = contract_test(SPECS / "gorules.yaml", fixtures=FIXTURES)
