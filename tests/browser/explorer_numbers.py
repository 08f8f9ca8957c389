"""The one comparison of the explorer's numbers with the package's (float64, rtol 1e-12)."""

from __future__ import annotations

import numpy as np

from softmax_course import log_softmax, logsumexp, softmax


def assert_matches_package(result: dict, logits, temperature: float) -> None:
    """``result`` (the explorer's probabilities, log-probabilities and log-sum-exp)
    equals softmax_course's softmax, log_softmax and logsumexp of ``logits / T``.

    Probabilities that underflow may differ by a subnormal (``atol=1e-300``).
    """
    logits = np.asarray(logits, dtype=np.float64)
    np.testing.assert_allclose(
        result["probabilities"], softmax(logits, temperature=temperature), rtol=1e-12, atol=1e-300
    )
    np.testing.assert_allclose(
        result["logProbabilities"], log_softmax(logits, temperature=temperature), rtol=1e-12
    )
    np.testing.assert_allclose(
        result["logSumExp"], logsumexp(logits / temperature), rtol=1e-12, atol=1e-15
    )
