"""The core's billing codec is a built-in plug-in and certified like any adapter's (issue 17)."""

from __future__ import annotations

from leportal_conformance import Status, certify


def test_billing_codec_is_certified() -> None:
    result = certify("leportal_core.billing.codec", seed=17, max_examples=10)
    failed = [t.id for t in result.tests if t.status in (Status.FAILED, Status.ERROR)]
    assert failed == []
    assert result.certified
    assert result.adapter_name == "billing"
    # Only the Document-specific groups and declared-absent features are not applicable.
    for test in result.tests:
        if test.status is Status.SKIPPED:
            assert test.message is not None
            assert test.message.startswith("not applicable: "), test.id
