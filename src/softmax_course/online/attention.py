"""Streaming attention: softmax attention of one query, keys and values read in blocks.

The online normaliser (:mod:`softmax_course.online.normalizer`) rescales the running
weighted sum of values whenever a block raises the max, as FlashAttention does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._validation import as_float_array, check_integer, check_real
from ._shared import merge_with_factors, pair_of_rows
from .normalizer import Normalizer

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["streaming_attention"]


def _check_attention_inputs(query, keys, values, function):
    query, _ = as_float_array(query, function, "query")
    keys, _ = as_float_array(keys, function, "keys")
    values, _ = as_float_array(values, function, "values")
    if query.ndim != 1 or keys.ndim != 2 or values.ndim != 2:
        raise ValueError(
            f"{function} needs a query of shape (d,), keys of shape (n, d) and "
            f"values of shape (n, d_v); got {query.shape}, {keys.shape} and {values.shape}."
        )
    if keys.shape[1] != query.shape[0] or keys.shape[0] != values.shape[0]:
        raise ValueError(
            f"{function}: shapes do not match: query {query.shape}, keys {keys.shape}, values "
            f"{values.shape} (keys need d = {query.shape[0]} columns, values one row per key)."
        )
    if keys.shape[0] == 0:
        raise ValueError(f"{function} needs at least one key.")
    return (a.astype(np.float64, copy=False) for a in (query, keys, values))


def streaming_attention(
    query: ArrayLike,
    keys: ArrayLike,
    values: ArrayLike,
    *,
    block_size: int = 128,
    scale: float | None = None,
) -> np.ndarray:
    r"""Softmax attention of one query, reading keys and values a block at a time.

    Introduced in chapter 10 (:ref:`sec-streaming-attention`). Computes
    ``softmax(scale * keys @ query) @ values`` without ever holding all the
    scores: for each block it forms the block's scores, pair and weighted
    sum of values, and merges them into the running ones, rescaling the older
    weighted sum by the same factor as the older scaled sum (as FlashAttention
    does on a GPU).

    Parameters
    ----------
    query : array_like, shape (d,)
        The query vector.
    keys : array_like, shape (n, d)
        One key per row (n at least 1).
    values : array_like, shape (n, d_v)
        One value per row.
    block_size : int, default 128
        Keys per block.
    scale : float, optional
        Multiplies the scores; defaults to ``1 / sqrt(d)``.

    Returns
    -------
    numpy.ndarray of float64, shape (d_v,)
        The attention output, a convex combination of the rows of ``values``.

    Raises
    ------
    TypeError
        For non-numeric input or a non-integer ``block_size``.
    ValueError
        For mismatched shapes, no keys, or ``block_size < 1``.

    Examples
    --------
    >>> keys = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 2.0]])
    >>> values = np.array([[1.0], [2.0], [3.0]])
    >>> streaming_attention([1.0, 0.5], keys, values, block_size=2, scale=1.0).round(6)
    array([2.397308])
    """
    function = "streaming_attention"
    block_size = check_integer(block_size, "block_size", function, minimum=1)
    query, keys, values = _check_attention_inputs(query, keys, values, function)
    scale = 1.0 / np.sqrt(query.shape[0]) if scale is None else check_real(scale, "scale", function)
    pair = Normalizer.empty((1,))
    weighted = np.zeros(values.shape[1])
    with np.errstate(all="ignore"):
        for start in range(0, keys.shape[0], block_size):
            scores = (keys[start : start + block_size] @ query)[None, :] * scale
            block_pair = pair_of_rows(scores, (1,), np.float64)
            # A masked key (score -inf) has weight 0, even in a block of masked keys only.
            weights = np.where(scores[0] == -np.inf, 0.0, np.exp(scores[0] - block_pair.maximum[0]))
            block_weighted = weights @ values[start : start + block_size]
            pair, old_factor, new_factor = merge_with_factors(pair, block_pair)
            weighted = weighted * old_factor[0] + block_weighted * new_factor[0]
        return weighted / pair.scaled_sum[0]
