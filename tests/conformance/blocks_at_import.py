"""An adapter module whose import waits for a server that never answers."""

from tests.conformance import broken_adapters

broken_adapters.RELEASE_HANG.wait()  # set by the tests when they are done
plugin = None
