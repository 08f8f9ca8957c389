"""Unit and property tests of sigmoid, softmax, log_softmax, logsumexp and the Jacobian."""

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.exceptions import AxisError
from strategies import adversarial, logits, vectors

from softmax_course import (
    log_sigmoid,
    log_softmax,
    logit,
    logsumexp,
    sigmoid,
    softmax,
    softmax_jacobian,
)
from softmax_course.teaching import numerical_gradient
from softmax_course.testing import (
    ULP_BOUNDS,
    logsumexp_ulp_error,
    max_ulp_error,
    reference_log_sigmoid,
    reference_log_softmax,
    reference_logsumexp,
    reference_sigmoid,
    reference_softmax,
    ulp_error,
)

inf, nan = np.inf, np.nan


# --- Known values ---------------------------------------------------------------------


def test_softmax_seed_example_values():
    np.testing.assert_allclose(
        softmax([0.7, 1.5, 4.8]), [0.01573172, 0.03501159, 0.94925668], atol=5e-9
    )


def test_softmax_second_seed_example():
    z = np.array([-1.0, 1.0, 2.0, 3.0])
    probs = softmax(z)
    np.testing.assert_array_equal(probs.round(2), [0.01, 0.09, 0.24, 0.66])
    assert ulp_error(probs, reference_softmax(z)).max() <= ULP_BOUNDS["softmax"]


def test_softmax_uniform_and_two_class_values():
    np.testing.assert_array_equal(softmax([3.0, 3.0, 3.0, 3.0]), [0.25] * 4)
    np.testing.assert_allclose(softmax([np.log(3.0), 0.0]), [0.75, 0.25], rtol=1e-15)


@pytest.mark.parametrize(
    "x, expected",
    [
        ([1000.0, 1000.0], [0.5, 0.5]),
        ([-1000.0, -1000.0], [0.5, 0.5]),
        ([1e308, 0.0], [1.0, 0.0]),
        ([1e308, -1e308], [1.0, 0.0]),
        ([-1e308, -1e308], [0.5, 0.5]),
        ([709.0, 710.0], [1 / (1 + np.e), np.e / (1 + np.e)]),
    ],
)
def test_softmax_extreme_finite_inputs(x, expected):
    np.testing.assert_allclose(softmax(x), expected, rtol=1e-15, atol=0)


def test_log_softmax_extreme_finite_inputs():
    np.testing.assert_allclose(log_softmax([1000.0, 1000.0]), [-np.log(2)] * 2, rtol=1e-15)
    np.testing.assert_array_equal(log_softmax([0.0, -1000.0]), [0.0, -1000.0])
    np.testing.assert_array_equal(log_softmax([1e308, 0.0]), [0.0, -1e308])
    # A log-probability close to 0 keeps full relative accuracy.
    np.testing.assert_allclose(log_softmax([0.0, -40.0])[0], -np.exp(-40.0), rtol=1e-15)
    assert log_softmax(np.float32([0.0, -20.0]))[0] == np.float32(-np.exp(-20.0))


def test_logsumexp_known_values():
    assert logsumexp([1000.0, 1000.0]) == 1000.0 + np.log(2.0)
    assert logsumexp([-1000.0, -1000.0]) == -1000.0 + np.log(2.0)
    assert logsumexp([1e308, 1e308]) == 1e308
    np.testing.assert_allclose(logsumexp([0.0, -40.0]), np.exp(-40.0), rtol=1e-15)
    assert logsumexp([5.0]) == 5.0


def test_sigmoid_known_values():
    np.testing.assert_array_equal(sigmoid([-inf, 0.0, inf]), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(sigmoid([-1000.0, 1000.0]), [0.0, 1.0])
    np.testing.assert_allclose(sigmoid(np.log(3.0)), 0.75, rtol=1e-15)
    # Tiny probabilities are represented, not flushed: sigmoid(-700) = e^-700 / (1 + e^-700).
    np.testing.assert_allclose(sigmoid(-700.0), np.exp(-700.0), rtol=1e-14)


def test_log_sigmoid_known_values():
    np.testing.assert_array_equal(log_sigmoid([-1000.0]), [-1000.0])
    np.testing.assert_allclose(log_sigmoid(0.0), -np.log(2.0), rtol=1e-15)
    np.testing.assert_allclose(log_sigmoid(50.0), -np.exp(-50.0), rtol=1e-15)
    assert log_sigmoid(inf) == 0.0
    assert log_sigmoid(-inf) == -inf


def test_logit_inverts_sigmoid_and_limits():
    p = np.array([0.001, 0.25, 0.5, 0.9, 0.999])
    np.testing.assert_allclose(sigmoid(logit(p)), p, rtol=1e-14)
    np.testing.assert_array_equal(logit([0.0, 1.0]), [-inf, inf])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        logit([1.5])


# --- Shapes, axes and dtypes ---------------------------------------------------------


def test_softmax_any_axis_matches_moved_axis():
    x = np.random.default_rng(0).normal(size=(3, 4, 5)) * 10
    for axis in range(-3, 3):
        expected = np.moveaxis(softmax(np.moveaxis(x, axis, -1)), -1, axis)
        np.testing.assert_array_equal(softmax(x, axis=axis), expected)
        np.testing.assert_allclose(softmax(x, axis=axis).sum(axis=axis), 1.0, rtol=1e-15)
        np.testing.assert_allclose(
            logsumexp(x, axis=axis), scipy.special.logsumexp(x, axis=axis), rtol=1e-14
        )
        assert (
            logsumexp(x, axis=axis, keepdims=True).shape
            == np.expand_dims(logsumexp(x, axis=axis), axis).shape
        )


def test_non_contiguous_input():
    x = np.random.default_rng(1).normal(size=(6, 8))[::2, ::3] * 5
    np.testing.assert_allclose(softmax(x), scipy.special.softmax(x, axis=-1), rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_dtype_is_preserved(dtype):
    x = np.array([[1.0, 2.0, 3.0]], dtype=dtype)
    for function in (softmax, log_softmax, logsumexp, sigmoid, log_sigmoid):
        assert function(x).dtype == dtype
    np.testing.assert_allclose(
        softmax(x).astype(np.float64), softmax(x.astype(np.float64)), rtol=np.finfo(dtype).eps
    )


@pytest.mark.parametrize("x", [[1, 2, 3], np.array([1, 2, 3], dtype=np.int8), [True, False]])
def test_integer_bool_and_list_give_float64(x):
    assert softmax(x).dtype == np.float64
    assert logsumexp(x).dtype == np.float64
    assert sigmoid(x).dtype == np.float64


def test_float16_large_values_do_not_overflow():
    x = np.array([60000.0, 60000.0], dtype=np.float16)
    np.testing.assert_array_equal(softmax(x), np.array([0.5, 0.5], dtype=np.float16))


def test_empty_batch_is_fine_and_empty_axis_behaviour():
    assert softmax(np.zeros((0, 10))).shape == (0, 10)
    assert log_softmax(np.zeros((0, 10), dtype=np.float32)).dtype == np.float32
    assert logsumexp(np.zeros((0, 10))).shape == (0,)
    np.testing.assert_array_equal(logsumexp(np.zeros((3, 0))), [-inf] * 3)
    for function in (softmax, log_softmax):
        with pytest.raises(ValueError, match="at least one class"):
            function(np.zeros((3, 0)))


# --- Special values --------------------------------------------------------------------


def test_minus_inf_is_masked():
    np.testing.assert_allclose(softmax([0.0, -inf, 0.0]), [0.5, 0.0, 0.5], rtol=1e-15)
    np.testing.assert_allclose(log_softmax([0.0, -inf]), [0.0, -inf])
    assert logsumexp([0.0, -inf]) == 0.0


def test_special_slices_are_isolated():
    x = np.array(
        [
            [-inf, -inf, -inf],  # all masked
            [inf, 0.0, -inf],  # one +inf
            [inf, inf, 0.0],  # two +inf
            [nan, 0.0, 1.0],  # NaN
            [1.0, 2.0, 3.0],  # ordinary
            [1e308, -1e308, 0.0],  # overflow of x - max
        ]
    )
    p = softmax(x)
    assert np.isnan(p[0]).all() and np.isnan(p[2]).all() and np.isnan(p[3]).all()
    np.testing.assert_array_equal(p[1], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(p[4], scipy.special.softmax([1.0, 2.0, 3.0]), rtol=1e-15)
    np.testing.assert_array_equal(p[5], [1.0, 0.0, 0.0])

    lp = log_softmax(x)
    assert np.isnan(lp[0]).all() and np.isnan(lp[2]).all() and np.isnan(lp[3]).all()
    np.testing.assert_array_equal(lp[1], [0.0, -inf, -inf])
    np.testing.assert_allclose(lp[4], scipy.special.log_softmax([1.0, 2.0, 3.0]), rtol=1e-15)
    np.testing.assert_array_equal(lp[5], [0.0, -inf, -1e308])

    lse = logsumexp(x)
    assert lse[0] == -inf and lse[1] == inf and lse[2] == inf and np.isnan(lse[3])
    np.testing.assert_allclose(lse[4], scipy.special.logsumexp([1.0, 2.0, 3.0]), rtol=1e-15)
    assert lse[5] == 1e308


def test_special_values_with_temperature():
    np.testing.assert_array_equal(softmax([inf, 0.0], temperature=5.0), [1.0, 0.0])
    np.testing.assert_allclose(softmax([0.0, -inf, 0.0], temperature=0.1), [0.5, 0.0, 0.5])
    # x - max overflows, but (x - max) / T does not for large T.
    np.testing.assert_allclose(
        log_softmax([1e308, -1e308], temperature=1e10), [0.0, -2e298], rtol=1e-15
    )


def test_sigmoid_nan_propagates():
    assert np.isnan(sigmoid(nan)) and np.isnan(log_sigmoid(nan))


# --- Bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("function", [softmax, log_softmax, logsumexp, sigmoid, log_sigmoid])
@pytest.mark.parametrize(
    "bad",
    [np.array([1 + 2j, 3]), np.array(["a", "b"]), np.array([object(), object()])],
)
def test_bad_dtypes_raise_type_error(function, bad):
    with pytest.raises(TypeError, match="real|dtype"):
        function(bad)


def test_complex_message_is_clear():
    with pytest.raises(TypeError, match="complex"):
        softmax([1 + 1j, 2])


@pytest.mark.parametrize("function", [softmax, log_softmax, logsumexp])
def test_axis_out_of_range(function):
    with pytest.raises(AxisError):
        function(np.zeros((2, 3)), axis=2)
    with pytest.raises(TypeError, match="axis must be an integer"):
        function(np.zeros((2, 3)), axis=1.0)


def test_scalar_input_has_no_class_axis():
    with pytest.raises(ValueError, match="scalar"):
        softmax(3.0)


@pytest.mark.parametrize("temperature", [0.0, -1.0, inf, nan])
def test_bad_temperature_values(temperature):
    for function in (softmax, log_softmax):
        with pytest.raises(ValueError, match="temperature"):
            function([1.0, 2.0], temperature=temperature)


@pytest.mark.parametrize("temperature", ["1", None, True, 1j])
def test_bad_temperature_types(temperature):
    with pytest.raises(TypeError, match="temperature"):
        softmax([1.0, 2.0], temperature=temperature)


def test_extended_precision_is_refused():
    if np.dtype(np.longdouble).itemsize <= 8:
        pytest.skip("longdouble is float64 on this platform")
    with pytest.raises(TypeError, match="not supported"):
        softmax(np.array([1.0, 2.0], dtype=np.longdouble))


# --- Properties (hypothesis) -----------------------------------------------------------


@given(logits())
def test_sums_to_one_and_in_unit_interval(x):
    p = softmax(x)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=8 * np.finfo(float).eps)


@given(logits(magnitude=100.0), st.floats(-1e3, 1e3))
def test_invariant_to_adding_a_constant(x, c):
    shifted = x + c
    # Adding c rounds each logit: compare with the rounded differences as the truth.
    np.testing.assert_allclose(softmax(shifted), softmax(x), rtol=2e-10, atol=1e-300)
    np.testing.assert_allclose(logsumexp(shifted), logsumexp(x) + c, rtol=1e-12, atol=1e-10)


@given(logits())
def test_order_is_preserved(x):
    p = softmax(x)
    for row_x, row_p in zip(x, p, strict=True):
        order = np.argsort(row_x, kind="stable")
        assert np.all(np.diff(row_p[order]) >= 0)
        # The largest logit has the largest probability (ties in p can appear
        # when logits differ by less than the resolution of the result).
        assert row_p[row_x.argmax()] == row_p.max()


@given(st.floats(-700, 700), st.floats(-700, 700))
def test_two_classes_equal_sigmoid_of_difference(a, b):
    # sigmoid(a - b) inherits the rounding of a - b, amplified by |a - b|.
    rtol = 1e-14 + 2 * np.finfo(float).eps * abs(a - b)
    np.testing.assert_allclose(softmax([a, b])[0], sigmoid(a - b), rtol=rtol, atol=1e-300)


@given(logits(magnitude=300.0))
def test_exp_log_softmax_is_softmax(x):
    log_probs = log_softmax(x)
    # exp turns the (few-ULP) absolute error of a log-probability into a relative error.
    rtol = 1e-14 + 8 * np.finfo(float).eps * np.abs(log_probs)
    assert np.all(np.abs(np.exp(log_probs) - softmax(x)) <= rtol * softmax(x) + 1e-300)


@given(logits(magnitude=300.0))
def test_log_softmax_is_x_minus_logsumexp(x):
    np.testing.assert_allclose(
        log_softmax(x), x - logsumexp(x, keepdims=True), rtol=1e-13, atol=1e-12
    )


@given(vectors(min_size=2, magnitude=50.0))
def test_temperature_limits(x):
    if np.ptp(x) == 0:
        np.testing.assert_allclose(softmax(x, temperature=1e-3), 1 / len(x))
        return
    top = x == x.max()
    cold = softmax(x, temperature=1e-6)
    gap = x.max() - np.max(np.where(top, -inf, x))
    if gap > 1e-3:
        np.testing.assert_allclose(cold, top / top.sum(), atol=1e-12)
    hot = softmax(x, temperature=1e12)
    np.testing.assert_allclose(hot, 1 / len(x), rtol=1e-9)


@given(logits(), st.floats(0.01, 100.0))
def test_temperature_equals_scaled_logits(x, temperature):
    np.testing.assert_allclose(
        softmax(x, temperature=temperature), softmax(x / temperature), rtol=1e-9, atol=1e-300
    )


@given(st.floats(-1e4, 1e4, allow_nan=False))
def test_sigmoid_symmetry_and_log(z):
    eps = np.finfo(float).eps
    np.testing.assert_allclose(sigmoid(-z), 1 - sigmoid(z), rtol=2 * eps, atol=eps)
    if sigmoid(z) >= np.finfo(float).tiny:  # a subnormal sigmoid has lost relative precision
        # log of a rounded sigmoid near 1 has an absolute error of about eps.
        np.testing.assert_allclose(log_sigmoid(z), np.log(sigmoid(z)), rtol=1e-14, atol=eps)


# --- References: SciPy and Keras -------------------------------------------------------


def test_agreement_with_scipy_on_ordinary_inputs():
    x = np.random.default_rng(2).normal(size=(50, 10)) * 3
    np.testing.assert_allclose(softmax(x), scipy.special.softmax(x, axis=-1), rtol=1e-14)
    # SciPy loses relative accuracy for log-probabilities near 0: compare absolutely there.
    np.testing.assert_allclose(
        log_softmax(x), scipy.special.log_softmax(x, axis=-1), rtol=1e-14, atol=1e-15
    )
    np.testing.assert_allclose(logsumexp(x), scipy.special.logsumexp(x, axis=-1), rtol=1e-14)
    np.testing.assert_allclose(sigmoid(x), scipy.special.expit(x), rtol=1e-15)
    np.testing.assert_allclose(log_sigmoid(x), scipy.special.log_expit(x), rtol=1e-15)


def test_agreement_with_keras_ops():
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(3).normal(size=(20, 7)).astype(np.float32) * 4
    np.testing.assert_allclose(
        softmax(x), keras.ops.convert_to_numpy(keras.ops.softmax(x)), rtol=2e-6
    )
    np.testing.assert_allclose(
        log_softmax(x), keras.ops.convert_to_numpy(keras.ops.log_softmax(x)), rtol=2e-6, atol=1e-6
    )
    np.testing.assert_allclose(
        logsumexp(x), keras.ops.convert_to_numpy(keras.ops.logsumexp(x, axis=-1)), rtol=2e-6
    )
    np.testing.assert_allclose(
        sigmoid(x), keras.ops.convert_to_numpy(keras.ops.sigmoid(x)), rtol=2e-6
    )


# --- The Jacobian ----------------------------------------------------------------------


def test_jacobian_known_value_and_structure():
    jac = softmax_jacobian([0.0, 0.0, 0.0])
    np.testing.assert_allclose(jac, (np.eye(3) / 3 - 1 / 9), rtol=1e-15)
    x = np.random.default_rng(4).normal(size=(4, 5)) * 3
    jac = softmax_jacobian(x)
    assert jac.shape == (4, 5, 5)
    np.testing.assert_allclose(jac, np.swapaxes(jac, -1, -2), rtol=0, atol=0)
    np.testing.assert_allclose(jac.sum(axis=-1), 0.0, atol=4 * np.finfo(float).eps)
    np.testing.assert_allclose(np.linalg.det(jac), 0.0, atol=1e-15)


def test_jacobian_axis_moves_to_the_end():
    x = np.random.default_rng(5).normal(size=(3, 4))
    np.testing.assert_allclose(softmax_jacobian(x, axis=0), softmax_jacobian(x.T), rtol=1e-15)


@given(vectors(min_size=2, max_size=6, magnitude=10.0))
def test_jacobian_matches_finite_differences(x):
    numeric = numerical_gradient(softmax, x)
    np.testing.assert_allclose(softmax_jacobian(x), numeric, atol=1e-9)


def test_jacobian_matches_tensorflow_autodiff():
    tf = pytest.importorskip("tensorflow")
    x = np.random.default_rng(6).normal(size=(3, 6)) * 4
    variable = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(variable)
        probs = tf.nn.softmax(variable, axis=-1)
    tf_jac = tape.batch_jacobian(probs, variable).numpy()
    np.testing.assert_allclose(softmax_jacobian(x), tf_jac, rtol=1e-12, atol=1e-15)


# --- Several axes at once, and axis=None, with SciPy's meaning ---------------------------

AXES = [None, (0,), (1, 2), (0, 2), (2, 0, 1), (), -1]


def _reference_over(x, axes, reference):
    """The mpmath reference over ``axes`` taken together, in the layout of ``x``."""
    axes = (axes,) if isinstance(axes, int) else axes
    axes = tuple(range(x.ndim)) if axes is None else tuple(sorted(a % x.ndim for a in axes))
    batch = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, batch + list(axes))
    rows = moved.reshape(int(np.prod([x.shape[i] for i in batch])), -1)
    exact = reference(rows).reshape(moved.shape)
    return np.transpose(exact, np.argsort(batch + list(axes)))


@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tuple_and_none_axes_match_scipy_within_the_ulp_bounds(axis, dtype):
    x = (np.random.default_rng(21).normal(0, 30, (3, 4, 5)) - 40).astype(dtype)
    probs, log_probs = softmax(x, axis=axis), log_softmax(x, axis=axis)
    exact_p = _reference_over(x, axis, reference_softmax)
    exact_lp = _reference_over(x, axis, reference_log_softmax)
    assert max_ulp_error(lambda _: probs, x, exact_p) <= ULP_BOUNDS["softmax"]
    assert max_ulp_error(lambda _: log_probs, x, exact_lp) <= ULP_BOUNDS["log_softmax"]
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(probs, scipy.special.softmax(x, axis=axis), rtol=64 * eps, atol=0)
    # SciPy's log-softmax cancels near 0 (a dominant logit): compare in absolute terms.
    atol = 64 * eps * float(np.abs(x).max())
    np.testing.assert_allclose(log_probs, scipy.special.log_softmax(x, axis=axis), atol=atol)
    for keepdims in (False, True):
        ours = logsumexp(x, axis=axis, keepdims=keepdims)
        theirs = scipy.special.logsumexp(x, axis=axis, keepdims=keepdims)
        assert ours.shape == np.shape(theirs) and ours.dtype == dtype
        np.testing.assert_allclose(ours, theirs, rtol=8 * eps)


def test_axis_none_on_a_scalar_is_one_class():
    assert softmax(3.0, axis=None) == 1.0
    assert log_softmax(3.0, axis=None) == 0.0
    assert logsumexp(3.0, axis=None) == 3.0


def test_jacobian_over_several_axes_is_that_of_the_flattened_classes():
    x = np.random.default_rng(22).normal(size=(2, 3, 4))
    jac = softmax_jacobian(x, axis=(1, 2))
    assert jac.shape == (2, 12, 12)
    np.testing.assert_allclose(jac, softmax_jacobian(x.reshape(2, 12)), rtol=1e-15, atol=0)


# --- Accuracy against 50-digit mpmath references, in ULPs, on adversarial inputs ------


ACCURACY_DTYPES = [np.float64, np.float32]


CASES = [
    (spread, classes)
    for spread in (1.0, 10.0, 50.0, 100.0, 300.0, 1000.0)
    for classes in (2, 3, 17, 100)
]


def _assert_family_within_bounds(dtype, spread, classes, seed):
    x = adversarial(seed, 6, classes, spread, dtype)
    p = max_ulp_error(softmax, x, reference_softmax(x))  # outputs in the normal range
    lp = ulp_error(log_softmax(x), reference_log_softmax(x)).max()
    lse = logsumexp_ulp_error(logsumexp(x), reference_logsumexp(x), x).max()
    assert p <= ULP_BOUNDS["softmax"], f"softmax: {p:.2f} ULPs"
    assert lp <= ULP_BOUNDS["log_softmax"], f"log_softmax: {lp:.2f} ULPs"
    assert lse <= ULP_BOUNDS["logsumexp"], f"logsumexp: {lse:.2f} ULPs"


@pytest.mark.parametrize("dtype", ACCURACY_DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("spread, classes", CASES)
def test_softmax_family_within_bounds(dtype, spread, classes):
    _assert_family_within_bounds(dtype, spread, classes, seed=int(spread) * 1000 + classes)


@pytest.mark.parametrize("dtype", ACCURACY_DTYPES, ids=["float64", "float32"])
def test_one_thousand_classes(dtype):
    _assert_family_within_bounds(dtype, 100.0, 1000, seed=7)


@pytest.mark.parametrize("dtype", ACCURACY_DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("gap", [1.0, 5.0, 17.0, 20.0, 40.0, 80.0, 700.0])
def test_log_softmax_near_zero(dtype, gap):
    """log_softmax([0, -gap]) has a first entry of about -exp(-gap): tiny, yet exact to 4 ULPs."""
    x = np.array([[0.0, -gap], [0.3, 0.3 - gap], [1e3 + 0.1, 1e3 + 0.1 - gap]], dtype=dtype)
    err = ulp_error(log_softmax(x), reference_log_softmax(x))
    assert err.max() <= ULP_BOUNDS["log_softmax"]


@pytest.mark.parametrize("dtype", ACCURACY_DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("temperature", [0.01, 0.3, 3.0, 1e3])
def test_temperature_within_bounds(dtype, temperature):
    x = adversarial(11, 5, 12, 60.0, dtype)
    ref_p = reference_softmax(x, temperature=temperature)
    err_p = max_ulp_error(lambda v: softmax(v, temperature=temperature), x, ref_p)
    err_lp = ulp_error(
        log_softmax(x, temperature=temperature), reference_log_softmax(x, temperature=temperature)
    )
    assert err_p <= ULP_BOUNDS["softmax"]
    assert err_lp.max() <= ULP_BOUNDS["log_softmax"]


@pytest.mark.parametrize("dtype", ACCURACY_DTYPES, ids=["float64", "float32"])
def test_sigmoid_within_bounds(dtype):
    limit = 700.0 if dtype == np.float64 else 85.0
    z = np.concatenate(
        [np.linspace(-limit, limit, 401), np.random.default_rng(3).normal(scale=10, size=200)]
    ).astype(dtype)
    ref = reference_sigmoid(z)
    assert max_ulp_error(sigmoid, z, ref) <= ULP_BOUNDS["sigmoid"]
    assert ulp_error(log_sigmoid(z), reference_log_sigmoid(z)).max() <= ULP_BOUNDS["log_sigmoid"]


@settings(max_examples=40)
@given(logits(max_classes=8, max_rows=3, magnitude=800.0))
def test_random_logits_within_bounds_float64(x):
    ref_p = reference_softmax(x)
    assert max_ulp_error(softmax, x, ref_p) <= ULP_BOUNDS["softmax"]
    assert ulp_error(log_softmax(x), reference_log_softmax(x)).max() <= ULP_BOUNDS["log_softmax"]


@settings(max_examples=40)
@given(logits(dtype=np.float32, max_classes=8, max_rows=3, magnitude=80.0))
def test_random_logits_within_bounds_float32(x):
    ref_p = reference_softmax(x)
    assert max_ulp_error(softmax, x, ref_p) <= ULP_BOUNDS["softmax"]
    assert ulp_error(log_softmax(x), reference_log_softmax(x)).max() <= ULP_BOUNDS["log_softmax"]


def test_the_sigmoid_family_flags_no_overflow_invalid_or_divide():
    # Only an honest underflow (as np.exp's) may be flagged; here not even that is.
    z = np.array([-1e308, -1000.0, -746.0, -1.0, 0.0, 1.0, 746.0, 1000.0, 1e308, np.inf, -np.inf])
    p = np.array([0.0, 1e-320, 0.5, 1.0 - 1e-16, 1.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for dtype in (np.float16, np.float32, np.float64):
            with np.errstate(all="ignore"):
                values = z.astype(dtype)
            sigmoid(values)
            log_sigmoid(values)
        logit(p)
