"""Where the suite gets valid objects of a codec's ``object_type``: the strategy registry.

Round trip, determinism and the malformed-input tests need valid objects to encode. For
:class:`~leportal_core.document.Document` and the other core types the suite knows how to make
them (:mod:`leportal_conformance.strategies`); for any other type the codec says so itself, with
two optional attributes (documented in ``docs/certifying.md``):

- ``conformance_samples``: a sequence of valid objects of ``object_type``, tried in every run and
  the starting points of the malformed-input tests;
- ``conformance_strategy``: a callable without arguments returning a Hypothesis strategy of
  valid objects (called only by the suite, so an adapter that imports Hypothesis inside it needs
  no Hypothesis at run time).

Either is enough; without a strategy the samples are all that is tried, and the results say
so. A codec whose type the suite does not know and that declares neither cannot be certified:
the tests that need objects end in ``error`` naming what is missing, never in a silent pass.
Hosts and test suites may also call :func:`register_examples` for a type of their own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from leportal_conformance.guard import describe_exception, short_repr
from leportal_core.document import Document

__all__ = [
    "SAMPLES_ATTRIBUTE",
    "STRATEGY_ATTRIBUTE",
    "ObjectExamples",
    "examples_for",
    "register_examples",
]

SAMPLES_ATTRIBUTE = "conformance_samples"
STRATEGY_ATTRIBUTE = "conformance_strategy"
# Samples drawn from a strategy when a type has no fixed ones.
_DRAWN_SAMPLES = 3


@attrs.frozen(kw_only=True)
class ObjectExamples:
    """Valid objects of one type: fixed ``samples`` (at least one) and, when known, a Hypothesis
    ``strategy``; ``source`` says where they come from, for the report."""

    object_type: type[Any]
    samples: tuple[Any, ...]
    strategy: st.SearchStrategy[Any] | None
    source: str

    @property
    def generated(self) -> st.SearchStrategy[Any]:
        """What a property test draws from: the strategy, or the samples when there is none."""
        return self.strategy if self.strategy is not None else st.sampled_from(self.samples)

    def describe(self) -> str:
        """One phrase for messages: ``built-in strategy and 3 samples`` or ``2 declared samples
        only (no strategy declared)``."""
        if self.strategy is not None:
            return f"{self.source} strategy and {len(self.samples)} samples"
        return f"{len(self.samples)} {self.source} samples only (no strategy declared)"


_Factory = Callable[[], tuple[st.SearchStrategy[Any] | None, Sequence[Any]]]
_REGISTERED: dict[type[Any], _Factory] = {}


def register_examples(
    object_type: type[Any],
    *,
    samples: Sequence[Any] = (),
    strategy: Callable[[], st.SearchStrategy[Any]] | None = None,
) -> None:
    """Tell the suite how to make valid ``object_type`` objects for every codec of that type that
    declares none itself. Give ``samples`` (fixed valid objects), ``strategy`` (a callable
    returning a Hypothesis strategy), or both."""
    if not isinstance(object_type, type):
        raise TypeError(f"object_type must be a class, not {short_repr(object_type)}")
    if not samples and strategy is None:
        raise ValueError("give samples, a strategy or both")
    fixed = tuple(samples)
    _REGISTERED[object_type] = lambda: (strategy() if strategy else None, fixed)


# Core types by ``module:qualname`` -> the function of :mod:`leportal_conformance.strategies`
# that makes them; compared by name, so that a type is imported only when a codec carries it.
_CORE_TYPES = {
    "leportal_core.therapy.model:TherapyReport": "therapy_reports",
    "leportal_core.therapy.model:Patient": "therapy_patients",
    "leportal_core.billing.records:BillingRecord": "billing_records",
    "leportal_core.billing.records:MassRecord": "mass_records",
    "leportal_core.billing.codec:BillingFile": "billing_files",
    "leportal_core.cases.model:CaseOpened": "cases",
    "leportal_core.cases.model:Stay": "stays",
}


def _built_in(name: str) -> st.SearchStrategy[Any]:
    from leportal_conformance import strategies

    factory: Callable[[], st.SearchStrategy[Any]] = getattr(strategies, name)
    return factory()


def examples_for(codec: object, problems: list[str]) -> ObjectExamples | None:
    """The valid objects the suite uses for ``codec``: the codec's own declaration, else a type
    registered with :func:`register_examples`, else the suite's built-in strategy for a core
    type; ``None`` when there is none. What is wrong with a declaration goes to ``problems``."""
    object_type = getattr(codec, "object_type", None)
    if not isinstance(object_type, type):
        return None
    if object_type is Document:
        from leportal_conformance.strategies import documents, sample_documents

        return ObjectExamples(
            object_type=Document,
            samples=sample_documents(),
            strategy=documents(),
            source="built-in",
        )
    declared = _declared(codec, object_type, problems)
    if declared is not None:
        return declared
    factory = _REGISTERED.get(object_type)
    if factory is not None:
        strategy, samples = factory()
        return _complete(object_type, strategy, tuple(samples), "registered")
    built_in = _CORE_TYPES.get(f"{object_type.__module__}:{object_type.__qualname__}")
    if built_in is not None:
        return _complete(object_type, _built_in(built_in), (), "built-in")
    return None


def _declared(codec: object, object_type: type[Any], problems: list[str]) -> ObjectExamples | None:
    raw_samples = getattr(codec, SAMPLES_ATTRIBUTE, None)
    raw_strategy = getattr(codec, STRATEGY_ATTRIBUTE, None)
    if raw_samples is None and raw_strategy is None:
        return None
    samples: tuple[Any, ...] = ()
    if raw_samples is not None:
        if isinstance(raw_samples, str | bytes) or not isinstance(raw_samples, Sequence):
            problems.append(f"{SAMPLES_ATTRIBUTE} must be a sequence of {object_type.__name__}")
        else:
            wrong = [n for n, item in enumerate(raw_samples) if not isinstance(item, object_type)]
            if wrong:
                problems.append(f"{SAMPLES_ATTRIBUTE}[{wrong[0]}] is not a {object_type.__name__}")
            else:
                samples = tuple(raw_samples)
    strategy: st.SearchStrategy[Any] | None = None
    if raw_strategy is not None:
        # Called directly: the suite reads capabilities inside a guarded call already.
        try:
            made = raw_strategy() if callable(raw_strategy) else None
        except Exception as exc:
            problems.append(f"{STRATEGY_ATTRIBUTE}() raised {describe_exception(exc)}")
        else:
            if not isinstance(made, st.SearchStrategy):
                problems.append(
                    f"{STRATEGY_ATTRIBUTE} must be a callable returning a Hypothesis strategy, "
                    f"got {short_repr(made)}"
                )
            else:
                strategy = made
    if not samples and strategy is None:
        return None
    return _complete(object_type, strategy, samples, "declared")


def _complete(
    object_type: type[Any],
    strategy: st.SearchStrategy[Any] | None,
    samples: tuple[Any, ...],
    source: str,
) -> ObjectExamples | None:
    if not samples and strategy is not None:
        samples = drawn_samples(strategy, _DRAWN_SAMPLES)
    if not samples:
        return None
    return ObjectExamples(
        object_type=object_type, samples=samples, strategy=strategy, source=source
    )


def drawn_samples(strategy: st.SearchStrategy[Any], count: int) -> tuple[Any, ...]:
    """The first ``count`` values of ``strategy`` at a fixed seed: the same in every run and
    process (the suite's sandbox pins the rest of Hypothesis' variation)."""
    drawn: list[Any] = []

    def keep(value: Any) -> None:
        drawn.append(value)

    run = hypothesis_seed(0)(
        settings(
            max_examples=count,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )(given(strategy)(keep))
    )
    with contextlib.suppress(Exception):  # a strategy failing part-way leaves fewer samples
        run()
    return tuple(drawn[:count])
