from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

from leportal_core.errors import (
    ConfigurationError,
    FormatError,
    InvalidChecksum,
    InvalidIdentifier,
    LeportalError,
    Location,
    Problem,
    Severity,
    ValidationError,
)


def test_problem_codes_must_be_dotted_lower_case() -> None:
    with pytest.raises(ValueError, match="dotted lower case"):
        Problem(code="Bad Code", message="x")
    with pytest.raises(ValueError, match="dotted lower case"):
        Problem(code="nodot", message="x")


def test_problem_as_dict_includes_only_set_location_fields() -> None:
    problem = Problem(
        code="ik.checksum",
        message="check digit is 3, expected 2",
        location=Location(field="ik", offset=8),
    )
    assert problem.as_dict() == {
        "code": "ik.checksum",
        "message": "check digit is 3, expected 2",
        "severity": "error",
        "location": {"field": "ik", "offset": 8},
    }
    assert "field ik" in str(problem)
    assert "byte 8" in str(problem)


def test_error_without_problems_gets_its_class_default_code() -> None:
    assert FormatError("broken").code == "format.invalid"
    assert LeportalError("x").problems[0].message == "x"


def test_error_keeps_all_problems_and_reports_first_code() -> None:
    problems = [
        Problem(code="a.b", message="one"),
        Problem(code="c.d", message="two", severity=Severity.WARNING),
    ]
    error = ValidationError("two findings", problems)
    assert error.code == "a.b"
    assert [p.code for p in error.problems] == ["a.b", "c.d"]
    assert "one" in str(error)
    assert "two" in str(error)


def test_hierarchy_lets_callers_catch_broadly() -> None:
    assert issubclass(InvalidChecksum, InvalidIdentifier)
    assert issubclass(InvalidIdentifier, ValidationError)
    assert issubclass(FormatError, ValidationError)
    assert issubclass(ValidationError, LeportalError)


def test_location_rejects_negative_positions() -> None:
    with pytest.raises(ValueError, match="line"):
        Location(line=-1)


# The packages whose public exceptions must be LeportalErrors, with the one module allowed to
# define them. The conformance suite is not listed: its exceptions are test-run signals
# (``Violation`` is an AssertionError so pytest reports it as a failure).
_EXCEPTION_HOMES = {
    "leportal_core": "leportal_core.errors",
    "leportal_fhir": "leportal_fhir.errors",
    "leportal_kis_archive": "leportal_kis_archive.errors",
    "leportal_therapy_pvs": "leportal_therapy_pvs.errors",
    "leportal_qpr_sftp": "leportal_qpr_sftp.errors",
}


def _public_exceptions(package_name: str) -> dict[str, type[BaseException]]:
    package = importlib.import_module(package_name)
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue  # private modules, __main__
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and value.__module__ == info.name
                and not name.startswith("_")
            ):
                found[f"{info.name}.{name}"] = value
    return found


@pytest.mark.parametrize("package_name", sorted(_EXCEPTION_HOMES))
def test_every_public_exception_is_a_leportal_error_defined_in_the_errors_module(
    package_name: str,
) -> None:
    found = _public_exceptions(package_name)
    assert package_name != "leportal_core" or len(found) >= 25, "the scan found too little"
    assert [where for where, cls in found.items() if not issubclass(cls, LeportalError)] == []
    home = _EXCEPTION_HOMES[package_name]
    assert [where for where in found if where.rsplit(".", 1)[0] != home] == []


def test_the_docstring_tree_of_errors_is_the_class_tree() -> None:
    import leportal_core.errors as errors

    tree = (errors.__doc__ or "").split("::", 1)[1]
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in tree.splitlines():
        match = re.match(r"^ {4}(?P<prefix>[│├└─ ]*)(?P<name>[A-Z]\w+)", line)
        if match is None:
            continue
        depth = len(match["prefix"]) // 4
        del stack[depth:]
        parents[match["name"]] = stack[-1] if stack else None
        stack.append(match["name"])
    classes = {
        name: cls
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, BaseException) and not name.startswith("_")
    }
    assert set(parents) == set(classes)
    for name, parent in parents.items():
        base = classes[name].__bases__[0]
        assert (base.__name__ if parent else base) == (parent or Exception), name


def test_input_refused_is_both_an_os_error_and_a_configuration_error() -> None:
    from leportal_core.errors import InputRefused

    refused = InputRefused(21, "not a regular file: a folder", "in", code="input.not_regular")
    assert isinstance(refused, OSError)
    assert isinstance(refused, ConfigurationError)
    assert (refused.errno, refused.filename, refused.code) == (21, "in", "input.not_regular")
    assert refused.problems[0].location.file == "in"
    assert refused.strerror == "not a regular file: a folder"
    assert str(refused) == "input.not_regular: not a regular file: a folder (in)"


def test_old_import_paths_of_moved_exceptions_still_work() -> None:
    from leportal_core import errors
    from leportal_core.cases import CaseHookError, CaseNotFound, CaseValidationError, IllegalStep
    from leportal_core.deadlines import DeadlineError
    from leportal_core.files import InputRefused
    from leportal_core.secondfactor.errors import SealError
    from leportal_core.therapy import SendInProgress, TherapyStoreError
    from leportal_therapy_pvs.smtp import SmtpRefused, SmtpUnavailable

    assert CaseHookError is errors.CaseHookError
    moved: tuple[type[LeportalError], ...] = (
        *(CaseNotFound, CaseValidationError, IllegalStep, DeadlineError, InputRefused),
        *(SealError, SendInProgress, TherapyStoreError),
    )
    assert {cls.__module__ for cls in moved} == {"leportal_core.errors"}
    assert issubclass(SmtpRefused, errors.TransportError)
    assert SmtpUnavailable("x", code="therapy.smtp.deadline").code == "therapy.smtp.deadline"
