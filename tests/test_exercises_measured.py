"""What a rule read from the code cannot see, the checkers measure.

Two exercises forbid a way of computing (chapter 4's product without forming J,
chapter 10's one pass over a stream): besides the functions their rules name,
the checker measures the memory a correct answer holds, so a K x K matrix built
by broadcasting, or a stream collected by a comprehension, is refused too. The
exercises that forbid overflow keep overflow visible even when the answer
silences it with ``np.errstate`` or ``np.seterr``.
"""

import itertools
import math

import numpy as np
import pytest

from softmax_course import softmax
from softmax_course.exercises import (
    CHECKERS,
    softmax_vjp,
    stable_sigmoid,
    streaming_logsumexp,
)
from softmax_course.exercises._answers import copy_argument

# -- streams held whole, by any means -----------------------------------------------


def _lse_of_all(z):
    m = z.max()
    return m + np.log1p(np.exp(np.delete(z, z.argmax()) - m).sum())


def stream_comprehension(blocks):
    return _lse_of_all(np.array([z for block in blocks for z in block]))


def stream_extend(blocks):
    kept = []
    for block in blocks:
        kept.extend(block)
    return _lse_of_all(np.asarray(kept))


def stream_tolist(blocks):
    kept = []
    for block in blocks:
        kept += block.tolist()
    return _lse_of_all(np.asarray(kept))


def stream_fromiter(blocks):
    return _lse_of_all(np.fromiter(itertools.chain.from_iterable(blocks), dtype=float))


def stream_dict_of_blocks(blocks):
    kept = {i: block for i, block in enumerate(blocks)}
    return _lse_of_all(np.concatenate(list(kept.values())))


HELD_WHOLE = [stream_comprehension, stream_extend, stream_tolist, stream_fromiter]


@pytest.mark.parametrize("answer", HELD_WHOLE, ids=lambda f: f.__name__)
def test_a_stream_held_whole_is_refused_by_its_memory(answer):
    # right on every hidden input: only the memory it holds is wrong
    for args in streaming_logsumexp.cases:
        got = answer(copy_argument(args[0]))
        want = streaming_logsumexp.reference(iter(args[0].blocks))
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=0)
    text, passed = streaming_logsumexp.verdict(answer)
    assert not passed
    assert "on a stream of 90 blocks of 2000 logits it held" in text
    assert "more than what 30 blocks take (0.5 MB)" in text
    assert "one pass over a stream that is never held whole" in text


def test_a_stream_collected_in_a_dict_is_refused():
    text, passed = streaming_logsumexp.verdict(stream_dict_of_blocks)
    assert not passed
    assert "on a stream of 90 blocks of 2000 logits it held" in text


def stream_list_of_one_block(blocks):
    """One pass; list() of one block at a time is not the stream."""
    state = tuple([-np.inf, 0.0])  # (m, rest): the sum is 1 + rest
    for block in blocks:
        for z in list(block):
            m, rest = state
            state = (z, (1.0 + rest) * np.exp(m - z)) if z > m else (m, rest + np.exp(z - m))
    return float(state[0] + np.log1p(state[1]))


def stream_stacked_block_lses(blocks):
    """One log-sum-exp per block (90 numbers), combined at the end."""
    lses = [np.logaddexp.reduce(block) for block in blocks]
    return float(np.logaddexp.reduce(np.stack(lses)))


@pytest.mark.parametrize(
    "answer",
    [stream_list_of_one_block, stream_stacked_block_lses],
    ids=lambda f: f.__name__,
)
def test_list_tuple_and_stack_of_a_few_numbers_are_allowed(answer):
    text, passed = streaming_logsumexp.verdict(answer)
    assert passed, text


def stream_keeps_copies_of_the_last_blocks(blocks):
    """One pass that also keeps copies of the last two blocks: that much is allowed."""
    m, rest, last = -np.inf, 0.0, []
    for block in blocks:
        new_m = max(m, block.max())
        terms = np.exp(block - new_m)
        if new_m > m:
            terms[np.argmax(block)] = 0.0  # the new maximum's own 1
            rest = (1.0 + rest) * np.exp(m - new_m) + terms.sum()
        else:
            rest += terms.sum()
        m = new_m
        last = (last + [block.copy()])[-2:]
    return float(m + np.log1p(rest))


def test_one_pass_that_keeps_a_block_or_two_is_accepted():
    text, passed = streaming_logsumexp.verdict(stream_keeps_copies_of_the_last_blocks)
    assert passed, text


def test_the_memory_bound_lies_between_a_pass_and_the_whole_stream():
    for checker in (streaming_logsumexp, softmax_vjp):
        namespace = {"np": np, "softmax": softmax}
        exec(checker.solution_code(), namespace)
        solution = namespace[checker.answer_name]
        peak = checker._peak_memory(solution, 10.0)
        # the model solution holds a few blocks or vectors, far below the bound
        assert 0 < peak < checker.memory.limit / 2
    whole = sum(block.nbytes for block in streaming_logsumexp.memory.case[0].blocks)
    assert whole >= 3 * streaming_logsumexp.memory.limit


def stream_package_logsumexp_per_block(blocks):
    """One pass: the package's logsumexp of each block with the running value appended."""
    from softmax_course import logsumexp

    total = -np.inf
    for block in blocks:
        total = logsumexp(np.concatenate([[total], block]))
    return float(total)


def stream_collected_then_concatenated(blocks):
    kept = list(blocks)
    return _lse_of_all(np.concatenate(kept))


def stream_collected_then_one_at_a_time(blocks):
    """The blocks kept in a list, then read one at a time: the least a whole stream holds."""
    total = -np.inf
    for block in list(blocks):
        total = np.logaddexp(total, np.logaddexp.reduce(block))
    return float(total)


def test_the_memory_bound_has_margins_on_both_sides():
    limit = streaming_logsumexp.memory.limit
    # the package's logsumexp holds a few copies of its input: about 15 blocks
    one_pass = streaming_logsumexp._peak_memory(stream_package_logsumexp_per_block, 10.0)
    assert 0 < one_pass < limit / 1.8
    for collected in (stream_collected_then_concatenated, stream_collected_then_one_at_a_time):
        assert streaming_logsumexp._peak_memory(collected, 10.0) > 2.5 * limit
    text, passed = streaming_logsumexp.verdict(stream_package_logsumexp_per_block)
    assert passed, text
    text, passed = streaming_logsumexp.verdict(stream_collected_then_one_at_a_time)
    assert not passed
    assert "it held" in text


# -- a Jacobian built by broadcasting ---------------------------------------------


def vjp_broadcast(z, v):
    p = softmax(z)
    jacobian = -p[:, None] * p[None, :]
    jacobian[np.arange(len(p)), np.arange(len(p))] += p
    return jacobian.T @ v


def vjp_einsum(z, v):
    p = softmax(z)
    eye = (np.arange(len(p))[:, None] == np.arange(len(p))).astype(float)
    return np.einsum("ij,j->i", eye * p[:, None] - p[:, None] * p, v)


@pytest.mark.parametrize("answer", [vjp_broadcast, vjp_einsum], ids=lambda f: f.__name__)
def test_a_jacobian_built_without_the_named_functions_is_refused(answer):
    text, passed = softmax_vjp.verdict(answer)
    assert not passed
    assert "on z and v of 2000 entries it held" in text
    assert "without forming J" in text


def test_the_vjp_without_j_is_accepted():
    def vjp(z, v):
        p = softmax(z)
        return p * v - p * np.dot(p, v)

    text, passed = softmax_vjp.verdict(vjp)
    assert passed, text


# -- overflow silenced by the answer itself ---------------------------------------


def _two_branches(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


def sigmoid_errstate(z):
    with np.errstate(over="ignore"):
        return _two_branches(z)


def sigmoid_seterr(z):
    old = np.seterr(all="ignore")
    try:
        return _two_branches(z)
    finally:
        np.seterr(**old)


@np.errstate(all="ignore")
def sigmoid_errstate_decorator(z):
    return _two_branches(z)


SILENCED = [sigmoid_errstate, sigmoid_seterr, sigmoid_errstate_decorator]


@pytest.mark.parametrize("answer", SILENCED, ids=lambda f: f.__name__)
def test_overflow_silenced_by_the_answer_is_still_found(answer):
    text, passed = stable_sigmoid.verdict(answer)
    assert not passed
    assert "but it overflows on z = [-730, -712.5, -50, 1.5, -30]" in text


def test_the_checker_leaves_the_error_state_as_it_found_it():
    before = np.geterr()
    with np.errstate(divide="ignore"):
        stable_sigmoid.verdict(sigmoid_errstate)
        inside = np.geterr()
        assert inside["divide"] == "ignore"
        with np.errstate(invalid="ignore"):  # errstate works again after a check
            assert np.geterr()["invalid"] == "ignore"
    assert np.geterr() == before


def test_only_these_exercises_measure_memory():
    assert {c.name for c in CHECKERS if c.memory is not None} == {
        "softmax_vjp",
        "streaming_logsumexp",
    }
