"""Chapter 10, softmax at scale: ``merge_pairs``, ``streaming_logsumexp``,
``top_k_distribution``."""

from __future__ import annotations

import numpy as np

from .. import logsumexp, softmax
from ..sampling import sampling_distribution
from ._checker import Checker, MemoryBound
from ._format import Stream
from ._inputs import rows
from ._mistakes import Mistake


def _merge(first, second):
    (m_a, l_a), (m_b, l_b) = first, second
    m = max(m_a, m_b)
    if m == -np.inf:
        return -np.inf, 0.0
    return m, l_a * np.exp(m_a - m) + l_b * np.exp(m_b - m)


def _merge_reference(first, second):
    """The merged pair as floats (the tests check m + log(l) against ``logsumexp``)."""
    m, total = _merge(first, second)
    return float(m), float(total)


def _unguarded_merge(first, second):
    (m_a, l_a), (m_b, l_b) = first, second
    m = max(m_a, m_b)
    return m, l_a * np.exp(m_a - m) + l_b * np.exp(m_b - m)


def _unshifted_merge(first, second):
    """The sums brought back to exp(m_a) l_a and exp(m_b) l_b, added, then divided."""
    (m_a, l_a), (m_b, l_b) = first, second
    m = max(m_a, m_b)
    if m == -np.inf:
        return -np.inf, 0.0
    with np.errstate(all="ignore"):
        return m, (l_a * np.exp(m_a) + l_b * np.exp(m_b)) / np.exp(m)


def _float32_merge(first, second):
    """The merge with both pairs in float32."""
    (m_a, l_a), (m_b, l_b) = np.float32(first), np.float32(second)
    m = max(m_a, m_b)
    if m == -np.inf:
        return -np.inf, 0.0
    return float(m), float(l_a * np.exp(m_a - m) + l_b * np.exp(m_b - m))


merge_pairs = Checker(
    name="merge_pairs",
    chapter="10_softmax_at_scale",
    label="ex-scale-merge-code",
    task="the merged pair (m, l) of two pairs (m_a, l_a) and (m_b, l_b)",
    answer_name="my_merge",
    parameters=("first", "second"),
    reference=_merge_reference,
    returns=(("m", "number"), ("l", "number")),
    cases=[
        ((1.0, 2.5), (3.0, 1.25)),
        ((5.0, 1.5), (-2.0, 3.0)),
        ((-np.inf, 0.0), (2.0, 1.5)),
        ((700.0, 1.1), (-700.0, 2.0)),
        ((-np.inf, 0.0), (-np.inf, 0.0)),
        ((2.0, 0.5), (2.0, 0.75)),
        ((-1000.0, 2.0), (1000.0, 1.0)),
        ((3.5, 1.25), (-np.inf, 0.0)),
    ],
    covers=(
        "ordinary pairs, equal maxima, and an empty block first, second or both",
        "maxima 2000 apart, whose rescaling factor exp(-2000) underflows to 0 (and "
        "exp(2000) overflows with the wrong sign)",
    ),
    atol=1e-300,
    mistakes=[
        Mistake(
            "the sums added without rescaling",
            "l_a sums exp(z - m_a) and l_b sums exp(z - m_b): bring both to the new "
            "maximum m first, l = l_a exp(m_a - m) + l_b exp(m_b - m).",
            variants=[lambda first, second: (max(first[0], second[0]), first[1] + second[1])],
        ),
        Mistake(
            "no guard for two empty blocks",
            "With m = -inf, m_a - m is -inf - (-inf) = NaN. When both maxima are "
            "-inf, return (-inf, 0) directly.",
            variants=[_unguarded_merge],
        ),
        Mistake(
            "rescaled with the wrong sign",
            "exp(m - m_a) is at least 1 and can overflow; the factor that brings "
            "exp(z - m_a) to exp(z - m) is exp(m_a - m), at most 1.",
            variants=[
                lambda first, second: (
                    max(first[0], second[0]),
                    first[1] * np.exp(max(first[0], second[0]) - first[0])
                    + second[1] * np.exp(max(first[0], second[0]) - second[0]),
                )
            ],
        ),
        Mistake(
            "the maxima exponentiated themselves",
            "exp(m_a) l_a + exp(m_b) l_b is the sum the pairs stand for, but exp(m) "
            "overflows to inf above m = 709.78 (and inf / inf is NaN): that is why a "
            "pair keeps its sum relative to its maximum. Rescale by exp(m_a - m) and "
            "exp(m_b - m), which are at most 1.",
            variants=[_unshifted_merge],
        ),
        Mistake(
            "computed in float32",
            "float32 keeps about 7 significant digits (its machine epsilon is 1.2e-7); "
            "the pair is checked to a relative 1e-9, as float64 allows. Keep the "
            "maxima, the sums and the returned pair in float64.",
            variants=[_float32_merge],
        ),
    ],
    hint_text=(
        "The merged maximum is m = max(m_a, m_b); rescale each sum to it, "
        "l = l_a exp(m_a - m) + l_b exp(m_b - m), and handle m = -inf first."
    ),
    solution_text="""
def my_merge(first, second):
    (m_a, l_a), (m_b, l_b) = first, second
    m = max(m_a, m_b)
    if m == -np.inf:  # two empty blocks
        return -np.inf, 0.0
    return m, l_a * np.exp(m_a - m) + l_b * np.exp(m_b - m)
""",
)


def _stream_lse(blocks):
    return float(logsumexp(np.concatenate(list(blocks))))


def _block_lses(blocks):
    return [float(logsumexp(block)) for block in blocks]


def _plain_log_stream(blocks):
    """The running pair (m, l) kept as l itself, finished with m + log(l)."""
    m, total = -np.inf, 0.0
    for block in blocks:
        m_new = max(m, block.max())
        total = total * np.exp(m - m_new) + np.exp(block - m_new).sum()
        m = m_new
    return float(m + np.log(total))


def _one_taken_off_stream(blocks):
    """The rest carried, but a new maximum's block summed with its own 1, then 1 taken off."""
    m, rest = -np.inf, 0.0
    for block in blocks:
        top = block.max()
        if top > m:
            rest = (1.0 + rest) * np.exp(m - top) + (np.exp(block - top).sum() - 1.0)
            m = top
        else:
            rest += np.exp(block - m).sum()
    return float(m + np.log1p(rest))


def _one_taken_off_late_stream(blocks):
    """The rest carried, but a new maximum's update forms 1 + rest and the block's sum,
    then takes 1 off: (1 + rest) * exp(m - top) + exp(block - top).sum() - 1."""
    m, rest = -np.inf, 0.0
    for block in blocks:
        top = block.max()
        if top > m:
            rest = (1.0 + rest) * np.exp(m - top) + np.exp(block - top).sum() - 1.0
            m = top
        else:
            rest += np.exp(block - m).sum()
    return float(m + np.log1p(rest))


def _block_lses_combined_by_hand(blocks):
    """Each block's log-sum-exp v, combined as m + log(exp(total - m) + exp(v - m))."""
    total = -np.inf
    for block in blocks:
        value = float(logsumexp(block))
        m = max(total, value)
        total = m + np.log(np.exp(total - m) + np.exp(value - m))
    return float(total)


def _block_logs_stream(blocks):
    """Each block's log-sum-exp as max + log(sum), combined with np.logaddexp."""
    total = -np.inf
    for block in blocks:
        top = block.max()
        total = np.logaddexp(total, top + np.log(np.exp(block - top).sum()))
    return float(total)


def _ties_left_out_stream(blocks):
    """The rest carried, but every copy of a new maximum left out of it, not just one."""
    m, rest = -np.inf, 0.0
    for block in blocks:
        top = block.max()
        if top > m:
            others = block[block < top]
            rest = (1.0 + rest) * np.exp(m - top) + np.exp(others - top).sum()
            m = top
        else:
            rest += np.exp(block - m).sum()
    return float(m + np.log1p(rest))


def _float32_stream(blocks):
    """The book's solution, with the blocks and the pair in float32."""
    m, rest = np.float32(-np.inf), np.float32(0.0)
    for block in blocks:
        block = np.asarray(block, dtype=np.float32)
        top = int(np.argmax(block))
        m_new = max(m, block[top])
        terms = np.exp(block - m_new)
        if block[top] > m:
            terms[top] = 0.0
            rest = (1 + rest) * np.exp(m - m_new) + terms.sum()
        else:
            rest = rest + terms.sum()
        m = m_new
    return float(m + np.log1p(rest))


streaming_logsumexp = Checker(
    name="streaming_logsumexp",
    chapter="10_softmax_at_scale",
    label="ex-scale-stream-code",
    task="log(sum(exp(z))) over every logit of every block, in one pass",
    answer_name="my_stream_logsumexp",
    parameters=("blocks",),
    reference=_stream_lse,
    returns=(("logsumexp", "number"),),
    cases=[
        (Stream([rows(4, seed=1001, scale=3.0), rows(2, seed=1002), rows(5, seed=1003)]),),
        (Stream([[1000.0, 999.0], [998.0], [1001.0, 0.0]]),),
        (Stream([[-1000.0, -1001.0], [-999.5]]),),
        (Stream([[-1000.0], [1000.0, 0.0], [-5.0]]),),
        (Stream([[3.0]]),),
        (Stream([rows(3, seed=1004 + i, scale=5.0) for i in range(6)]),),
        # the log-sum-exp is 4.2e-18: 1 + e^-40 rounds to 1, and log(1) = 0 loses it
        (Stream([[0.0], [-40.0]]),),
        # the same inside one block, whose maximum is new: its other terms must not be
        # added to its own 1 and then have 1 taken off (1 + e^-40 - 1 is 0)
        (Stream([[-50.0], [0.0, -40.0]]),),
        # a new maximum twice in one block: only one copy is the new 1, the other
        # belongs to the rest
        (Stream([[0.0], [2.0, 2.0, -1.0]]),),
    ],
    covers=(
        "streams of 1 to 6 blocks of 1 to 5 logits",
        "logits of size 1000 and -1000, a maximum that grows from block to block "
        "(the running sum must be rescaled), and a stream 2000 wide",
        "a log-sum-exp near 0 (4.2e-18 for the blocks [0] and [-40], and for [-50] "
        "then [0, -40], where the tiny term shares a block with a new maximum), "
        "compared relatively, with no absolute tolerance: log(l) of a sum l that "
        "rounds to 1 loses it, log1p of the rest keeps it",
        "a block whose new maximum appears twice ([0], then [2, 2, -1]): one copy is "
        "the new 1, the other belongs to the rest",
        "the rule: one pass; an answer that holds the stream in memory (a list of "
        "the blocks, np.concatenate, a comprehension, extend, tolist, np.fromiter) is "
        "refused, measured: on a stream of 90 blocks of 2000 logits, the answer may "
        "hold at most what 30 blocks take (a few numbers per block are fine)",
    ),
    # a pass that calls the package's logsumexp on each block (with the running value
    # appended) peaks near 15 blocks; the 90 blocks collected take 90 and more
    memory=MemoryBound(
        case=(Stream([rows(2000, seed=1100 + i, scale=3.0) for i in range(90)]),),
        limit=30 * 2000 * 8,
        shown="a stream of 90 blocks of 2000 logits",
        allowed="what 30 blocks take",
        asks="one pass over a stream that is never held whole",
        advice="read the blocks once, in a for loop, and keep only the running pair "
        "(or a few numbers per block); collecting the blocks (in a list, with "
        "np.concatenate or a comprehension) holds the whole stream in memory",
    ),
    atol=0.0,
    mistakes=[
        Mistake(
            "the blocks' log-sum-exps added",
            "Adding log-sum-exps multiplies the sums; the sums must be added: "
            "LSE(A and B) = logaddexp(LSE(A), LSE(B)).",
            variants=[lambda blocks: sum(_block_lses(blocks))],
        ),
        Mistake(
            "the largest of the blocks' log-sum-exps",
            "The maximum keeps one block only; combine them with logaddexp (or a running pair).",
            variants=[lambda blocks: max(_block_lses(blocks))],
        ),
        Mistake(
            "the blocks' log-sum-exps averaged",
            "An average of log-sum-exps is not the log-sum-exp of the union; combine "
            "them with logaddexp.",
            variants=[lambda blocks: float(np.mean(_block_lses(blocks)))],
        ),
        Mistake(
            "only the last block kept",
            "The running value is overwritten by each block instead of merged with it.",
            variants=[lambda blocks: _block_lses(blocks)[-1]],
        ),
        Mistake(
            "no max subtraction",
            "exp(1000) overflows to inf (and exp(-1000) underflows to 0). Keep the "
            "running maximum m and the sum l of exp(z - m), rescaled by "
            "exp(m_old - m_new) when the maximum grows.",
            variants=[lambda blocks: float(np.log(sum(np.exp(block).sum() for block in blocks)))],
        ),
        Mistake(
            "a sum that rounds to 1 (log1p of r, the sum without the top term, needed)",
            "The sum l is 1 + rest, where rest sums the terms other than the maximum's "
            "own exp(0) = 1. When rest is below the rounding of 1 (for the blocks [0] "
            "and [-40], rest = e^-40 = 4.2e-18), 1 + rest rounds to 1 and m + log(l) "
            "returns m, losing the answer 4.2e-18; m + log1p(l - 1) is no better, as l "
            "has already rounded. Carry rest instead of l (a new "
            "maximum's own term becomes the new 1) and return m + np.log1p(rest). An "
            "update that forms 1 + rest and takes 1 off again, such as (1 + rest) * "
            "exp(m_old - m) + exp(block - m).sum() - 1, rounds the same way: add to "
            "rest only the terms other than the new maximum's own 1.",
            variants=[_plain_log_stream],
        ),
        Mistake(
            "a block's tiny terms summed with its maximum's 1",
            "Summing exp(block - max) adds the block's tiny terms to its maximum's own "
            "exp(0) = 1, where they round away: for the block [0, -40] (after [-50]), "
            "1 + e^-40 is 1. Taking the 1 off afterwards leaves 0 for the block's other "
            "terms, whether as exp(block - m).sum() - 1 or in the update (1 + rest) * "
            "exp(m_old - m) + exp(block - m).sum() - 1, and a block's log-sum-exp taken "
            "as max + log(sum) is log(1) = 0 too. Leave the maximum's own term out of the "
            "sum (set it to 0 before summing), carry the rest, and finish with log1p.",
            variants=[_one_taken_off_stream, _one_taken_off_late_stream, _block_logs_stream],
        ),
        Mistake(
            "log-sum-exps combined as m + log(exp(a - m) + exp(b - m))",
            "Combining the running value a with a block's log-sum-exp b as m + "
            "log(exp(a - m) + exp(b - m)), m = max(a, b), rounds: for the blocks [0] and "
            "[-40], exp(0) + exp(-40) = 1 + 4.2e-18 rounds to 1, its log is 0, and the "
            "answer 4.2e-18 is lost. Combine them with np.logaddexp(a, b), which "
            "computes m + log1p(exp(-|a - b|)) and keeps the tiny term.",
            variants=[_block_lses_combined_by_hand],
        ),
        Mistake(
            "every copy of a new maximum left out of the rest",
            "Only one term is the new 1: when a block's maximum appears twice, as in "
            "[2, 2, -1], the second copy, e^0 = 1, belongs to the rest. Leave out one "
            "position (set the term at np.argmax(block) to 0), not every term equal "
            "to the maximum.",
            variants=[_ties_left_out_stream],
        ),
        Mistake(
            "computed in float32",
            "float32 keeps about 7 significant digits (its machine epsilon is 1.2e-7); "
            "the answer is checked to a relative 1e-9, as float64 allows. Keep the "
            "blocks, the running pair and the returned value in float64.",
            variants=[_float32_stream],
        ),
    ],
    hint_text=(
        "Keep the pair (m, l) as m and rest = l - 1, from m = -inf, rest = 0. For each "
        "block, m_new = max(m, block.max()). If m_new > m, the new maximum's own term "
        "exp(0) = 1 is the new 1: rest = (1 + rest) * exp(m - m_new) + the sum of the "
        "block's other terms exp(z - m_new) (every term but one copy of the maximum); "
        "otherwise rest += sum(exp(block - m_new)). Then m = m_new. At the end return m + log1p(rest): log(1 + rest) loses a "
        "rest below 1e-16."
    ),
    solution_text="""
def my_stream_logsumexp(blocks):
    m, rest = -np.inf, 0.0  # the pair (m, l) as l = 1 + rest, as the book does
    for block in blocks:
        top = int(np.argmax(block))
        if block[top] == -np.inf:
            continue  # an all-masked block adds nothing
        m_new = max(m, block[top])
        terms = np.exp(block - m_new)
        if block[top] > m:  # a new maximum: its own term is the new 1
            terms[top] = 0.0
            rest = (1.0 + rest) * np.exp(m - m_new) + terms.sum()
        else:
            rest = rest + terms.sum()
        m = m_new
    return m + np.log1p(rest)  # log1p keeps a tiny rest that 1 + rest rounds away
""",
)


def _top_k(logits, k):
    return sampling_distribution(logits, top_k=k)


def _top_k_shifted(shift):
    """Top-k with the kept logits shifted by ``shift(kept logits)`` before exp."""

    def top_k(logits, k):
        kept = np.argsort(logits)[-k:]
        e = np.zeros_like(logits)
        e[kept] = np.exp(logits[kept] - shift(logits[kept]))
        return e / e.sum()

    return top_k


def _keep(logits, kept):
    return np.where(np.isin(np.arange(len(logits)), kept), logits, -np.inf)


def _top_k_finite_mask(mask):
    """Top-k with the cut logits set to the finite ``mask`` instead of -inf."""

    def top_k(logits, k):
        kept = np.isin(np.arange(len(logits)), np.argsort(logits)[-k:])
        return softmax(np.where(kept, logits, mask))

    return top_k


top_k_distribution = Checker(
    name="top_k_distribution",
    chapter="10_softmax_at_scale",
    label="ex-scale-top-k-code",
    task="softmax over the k largest logits, exactly 0 elsewhere",
    answer_name="my_top_k",
    parameters=("logits", "k"),
    reference=_top_k,
    cases=[
        (rows(6, seed=1011), 3),
        (rows(5, seed=1012), 1),
        (np.array([1000.0, 998.5, 990.0, 999.0, -5.0, 997.0, 0.0, 995.0]), 5),
        # the kept logits 1500, 2, 0, -10: a min or mean shift overflows
        (np.array([1500.0, -3000.0, 0.0, -10.0, 2.0, -2000.0]), 4),
        (np.array([3.0, 1.0, 2.5]), 3),
        (np.array([7.5]), 1),
        # logits near -1.6e308: every finite mask above them (-1e4, -1e9, -1e300) is
        # larger than the kept ones; only -inf (or a mask below them) leaves the cut at 0
        (np.array([-1.5e308, -1.6e308, -1.7e308, -1.55e308]), 2),
    ],
    covers=(
        "1 to 8 logits, k from 1 to all of them",
        "logits of size 1000 (exp overflows without a max shift), and kept logits "
        "1500, 2, 0, -10, where shifting by their minimum or mean instead of their "
        "maximum still overflows",
        "the cut tokens must be exactly 0 (atol = 0): masking them with a large "
        "negative number such as -100 leaves them a tiny probability, and logits "
        "near -1.6e308 make any finite mask above them (-1e4, -1e9, even -1e300) the "
        "largest logit",
    ),
    atol=0.0,
    mistakes=[
        Mistake(
            "probabilities zeroed without renormalising",
            "Zeroing the small probabilities of softmax(logits) leaves a sum below 1. "
            "Mask the logits instead (-inf outside the top k), then take the softmax.",
            variants=[
                lambda logits, k: np.where(
                    _keep(logits, np.argsort(logits)[-k:]) > -np.inf, softmax(logits), 0.0
                )
            ],
        ),
        Mistake(
            "the k smallest logits kept",
            "np.argsort sorts in increasing order: the k largest are the last k, "
            "np.argsort(logits)[-k:].",
            variants=[lambda logits, k: softmax(_keep(logits, np.argsort(logits)[:k]))],
        ),
        Mistake(
            "one token too many or too few",
            "Keep exactly k tokens: np.argsort(logits)[-k:].",
            variants=[
                lambda logits, k: softmax(_keep(logits, np.argsort(logits)[-(k + 1) :])),
                lambda logits, k: (
                    softmax(_keep(logits, np.argsort(logits)[-(k - 1) :])) if k > 1 else None
                ),
            ],
        ),
        Mistake(
            "the other logits set to 0 instead of -inf",
            "A logit of 0 still gets probability exp(0 - m) / Z > 0. Set the others to "
            "-inf, whose exponential is exactly 0.",
            variants=[
                lambda logits, k: softmax(
                    np.where(_keep(logits, np.argsort(logits)[-k:]) > -np.inf, logits, 0.0)
                )
            ],
        ),
        Mistake(
            "the other logits masked with a finite number",
            "A finite mask leaves the cut tokens a probability: exp(-100 - m) is tiny but "
            "not 0, and for logits far below 0 (near -1.6e308) a mask of -1e4, -1e9 or "
            "even -1e300 is the largest logit, so "
            "the cut tokens take all the probability. Mask with -np.inf, whose "
            "exponential is exactly 0.",
            variants=[
                _top_k_finite_mask(mask)
                for mask in (-10.0, -50.0, -100.0, -1000.0, -1e4, -1e9, -1e30, -1e300)
            ],
        ),
        Mistake(
            "no max subtraction",
            "exp(1000) overflows to inf. Use softmax (or subtract the largest logit before exp).",
            variants=[_top_k_shifted(lambda kept: 0.0)],
        ),
        Mistake(
            "the minimum or mean subtracted instead of the maximum",
            "Only the maximum makes every exponent <= 0: after subtracting the minimum "
            "or the mean (of all the logits or of the kept ones), the largest logit "
            "minus it can still be above 709.78, and exp of it is inf (for the kept "
            "logits [1500, 2, 0, -10], exp(1500 - ...) is inf). Use softmax, which "
            "subtracts the maximum.",
            variants=[
                _top_k_shifted(np.min),
                _top_k_shifted(np.mean),
                lambda logits, k: _top_k_shifted(lambda kept: 0.0)(logits - logits.min(), k),
                lambda logits, k: _top_k_shifted(lambda kept: 0.0)(logits - logits.mean(), k),
            ],
        ),
    ],
    hint_text=(
        "The indices of the k largest logits are np.argsort(logits)[-k:]. Build "
        "masked logits that are -inf everywhere else, and take their softmax."
    ),
    solution_text="""
def my_top_k(logits, k):
    masked = np.full_like(logits, -np.inf)
    kept = np.argsort(logits)[-k:]
    masked[kept] = logits[kept]
    return softmax(masked)
""",
    solution_uses=("softmax",),
)
