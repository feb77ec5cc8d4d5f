"""An adapter module whose import waits for a server that never answers."""

from tests.conformance import broken_vendor_adapters

broken_vendor_adapters.RELEASE_IMPORT.wait()  # set by the tests when they are done
plugin = None
