import jax.numpy as jnp
import pytest

import theory
from theory._validate import as_float_array, check_option, check_positive, check_probability, check_same_length


def test_float64_enabled_on_import():
    assert jnp.asarray(1.0).dtype == jnp.float64
    assert jnp.asarray([1.0], dtype=jnp.float32).astype(float).dtype == jnp.float64


def test_error_hierarchy():
    assert issubclass(theory.TheoryError, ValueError)
    assert issubclass(theory.DatasetError, theory.TheoryError)


@pytest.mark.parametrize("name", ["scaling", "agents", "moe", "schedules", "credit", "datasets"])
def test_subpackages_are_lazy_attributes(name):
    module = getattr(theory, name)
    assert module.__name__ == f"theory.{name}"
    assert name in dir(theory)


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        theory.nope  # noqa: B018


class _Err(theory.TheoryError):
    pass


@pytest.mark.parametrize(
    ("value", "kwargs", "match"),
    [
        ([1.0, float("nan")], {}, r"x must be finite, got nan at flat index 1"),
        ([1.0, float("inf")], {}, r"x must be finite"),
        ([], {}, r"at least 1 element"),
        ([[1.0]], {}, r"1-dimensional"),
        (["a"], {}, r"numeric"),
        ([1.0, 0.0], {"positive": True}, r"x must be > 0, got 0.0"),
        ([1.0, -2.0], {"nonnegative": True}, r"x must be >= 0, got -2.0"),
    ],
)
def test_as_float_array_rejects(value, kwargs, match):
    with pytest.raises(_Err, match=match):
        as_float_array(value, "x", error=_Err, **kwargs)


def test_as_float_array_returns_float64():
    import numpy as np

    out = as_float_array(np.array([1, 2], dtype=np.float32), "x")
    assert out.dtype == np.float64


def test_scalar_checks():
    assert check_positive(2, "n") == 2.0
    assert check_positive(0, "n", strict=False) == 0.0
    with pytest.raises(theory.TheoryError, match="n must be > 0, got 0.0"):
        check_positive(0, "n")
    with pytest.raises(theory.TheoryError, match="level must lie in \\(0, 1\\)"):
        check_probability(1.0, "level")
    assert check_probability(1.0, "mfu", closed=(False, True)) == 1.0
    with pytest.raises(theory.TheoryError, match="kind must be one of 'a', 'b'; got 'c'"):
        check_option("c", "kind", ("a", "b"))
    with pytest.raises(theory.TheoryError, match="N has 2, D has 3"):
        check_same_length(N=[1, 2], D=[1, 2, 3])
