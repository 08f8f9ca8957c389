"""The accuracy the package promises, in ULPs: one table for the tests and the benchmark."""

#: The largest error, in units in the last place of the dtype, against the
#: 50-digit references: softmax for outputs in the normal range, log-sum-exp in
#: ULPs of ``max(|result|, |largest logit|)`` (see ``logsumexp_ulp_error``),
#: cross-entropy per sample.
ULP_BOUNDS = {
    "softmax": 8.0,
    "log_softmax": 4.0,
    "logsumexp": 4.0,
    "cross_entropy": 4.0,
    "sigmoid": 4.0,
    "log_sigmoid": 4.0,
}
