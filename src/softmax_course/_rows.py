"""Moving the class axes to the rows of a 2-D array and back; per-row losses combined.

The numerical core works on C-contiguous ``(rows, K)`` arrays: one row per
batch element, the classes along the row. Several class axes (``axis`` a
tuple, or None) are taken together as one axis of their product's length, in
C order, as SciPy does.
"""

from __future__ import annotations

import math

import numpy as np


class RowLayout:
    """How an array was viewed as rows, so that results can be put back.

    ``shape`` is the original shape, ``axes`` the sorted class axes, ``moved``
    the shape with the class axes moved last, ``batch_shape`` the shape
    without them and ``num_classes`` the product of their lengths.
    """

    __slots__ = ("axes", "batch_shape", "moved", "num_classes", "shape")

    def __init__(self, shape: tuple[int, ...], axes: tuple[int, ...]):
        self.shape = shape
        self.axes = axes
        self.batch_shape = tuple(n for i, n in enumerate(shape) if i not in axes)
        self.num_classes = math.prod(shape[i] for i in axes)
        self.moved = self.batch_shape + tuple(shape[i] for i in axes)

    @property
    def is_last(self) -> bool:
        """Whether the class axes are already the last ones, in order."""
        ndim = len(self.shape)
        return self.axes == tuple(range(ndim - len(self.axes), ndim))

    def from_rows(self, rows: np.ndarray) -> np.ndarray:
        """The ``(rows, K)`` result put back in the original layout."""
        result = rows.reshape(self.moved)
        if self.is_last:
            return result
        count = len(self.axes)
        return np.moveaxis(result, range(-count, 0), self.axes)

    def reduced(self, values: np.ndarray, keepdims: bool = False) -> np.ndarray:
        """One value per row, shaped as the batch (class axes removed or kept as 1)."""
        result = values.reshape(self.batch_shape)
        if keepdims:
            result = np.expand_dims(result, self.axes)
        return result


def to_rows(work: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, RowLayout]:
    """View ``work`` as a C-contiguous ``(rows, K)`` array with the classes along rows.

    No copy is made when the class axes are already last and ``work`` is
    C-contiguous.
    """
    layout = RowLayout(work.shape, axes)
    if layout.is_last:
        moved = work
    else:
        count = len(axes)
        moved = np.moveaxis(work, axes, range(-count, 0))
    if not moved.flags.c_contiguous:
        moved = np.ascontiguousarray(moved)
    return moved.reshape(math.prod(layout.batch_shape), layout.num_classes), layout


#: The reductions of per-sample losses.
REDUCTIONS = ("mean", "sum", "none")


def reduce_losses(losses, reduction):
    """Combine per-sample losses (``reduction`` already checked); no flag on overflow."""
    if reduction == "none":
        return losses
    with np.errstate(all="ignore"):
        if reduction == "sum":
            return losses.sum(dtype=losses.dtype)
        if losses.size == 0:
            return np.array(np.nan, dtype=losses.dtype)
        return losses.mean(dtype=losses.dtype)
