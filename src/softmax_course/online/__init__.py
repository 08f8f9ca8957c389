"""The online softmax: the normaliser pair, softmax over blocks, dask, shards, attention.

Introduced in chapter 10. A block of logits is summarised by a pair
``(maximum, rest)`` (:class:`Normalizer`); pairs merge in any order, so the class
axis can be read in blocks (:func:`online_softmax`), reduced by dask
(:func:`pack_normalizer` and friends), split across shards
(:func:`sharded_cross_entropy`) or streamed with the values of attention
(:func:`streaming_attention`)::

    from softmax_course.online import normalizer, merge_normalizers
"""

from .attention import streaming_attention
from .blocks import (
    log_softmax_from_normalizer,
    online_logsumexp,
    online_softmax,
    softmax_from_normalizer,
)
from .normalizer import Normalizer, merge_normalizers, normalizer, update_normalizer
from .packing import logsumexp_from_packed, merge_packed, pack_normalizer, unpack_normalizer
from .sharded import shard_statistics, sharded_cross_entropy

__all__ = [
    "Normalizer",
    "log_softmax_from_normalizer",
    "logsumexp_from_packed",
    "merge_normalizers",
    "merge_packed",
    "normalizer",
    "online_logsumexp",
    "online_softmax",
    "pack_normalizer",
    "shard_statistics",
    "sharded_cross_entropy",
    "softmax_from_normalizer",
    "streaming_attention",
    "unpack_normalizer",
    "update_normalizer",
]
