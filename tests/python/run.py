"""Runs the Python suite and prints one machine-readable line for ./test.sh."""
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
result = unittest.TextTestRunner(verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
skipped = len(result.skipped)
passed = result.testsRun - failed - skipped
print(f"PYTHON-RESULT passed={passed} failed={failed} skipped={skipped}")
sys.exit(0 if failed == 0 and result.testsRun > 0 else 1)
