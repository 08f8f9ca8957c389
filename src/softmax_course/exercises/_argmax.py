"""What the predicted-class checkers of chapters 1 and 3 share.

Both ask for the class with the largest logit along the last axis; they differ
in their inputs (chapter 3 adds ties closer than rounding and a 3-D batch) and
in one mistake of their own.
"""

from __future__ import annotations

import numpy as np

from ._mistakes import Mistake

__all__ = ["ARGMAX_MISTAKES", "predicted_class_reference"]


def predicted_class_reference(logits):
    """The position of the largest logit along the last (class) axis.

    Examples
    --------
    >>> predicted_class_reference(np.array([[0.5, 2.0, -1.0], [3.0, 0.0, 1.0]]))
    array([1, 0])
    """
    return np.argmax(logits, axis=-1)


ARGMAX_MISTAKES = (
    Mistake(
        "largest logit over the wrong axis",
        "Axis 0 runs over the rows of the batch, and `axis=1` is the class axis of a "
        "2-D batch only; the classes are the last axis, `axis=-1`, whatever the "
        "number of batch axes.",
        variants=[
            lambda logits: np.argmax(logits, axis=0),
            lambda logits: np.argmax(logits, axis=1),
        ],
    ),
    Mistake(
        "smallest logit instead of the largest",
        "The predicted class has the largest logit: `argmax`, not `argmin`.",
        variants=[lambda logits: np.argmin(logits, axis=-1)],
    ),
    Mistake(
        "largest logit of the whole batch",
        "Without `axis`, `np.argmax` flattens the batch and returns one index; "
        "ask for one index per row with `axis=-1`.",
        variants=[lambda logits: np.argmax(logits)],
    ),
    Mistake(
        "the logits cast to a shorter float before the argmax",
        "float32 keeps about 7 significant digits (float16 about 3): logits closer "
        "than that, such as 1 and 1 + 1e-9, round to the same number, and np.argmax "
        "returns the first of the tie. Take the argmax of the logits as they are: "
        "np.argmax(logits, axis=-1).",
        variants=[
            lambda logits: np.argmax(logits.astype(np.float32), axis=-1),
            lambda logits: np.argmax(logits.astype(np.float16), axis=-1),
        ],
    ),
    Mistake(
        "the logits rounded with np.round before the argmax",
        "np.round keeps only the decimals it is given: logits closer than that, such "
        "as 1 and 1 + 1e-9, round to the same number, and np.argmax returns the first "
        "of the tie. Take the argmax of the logits as they are: "
        "np.argmax(logits, axis=-1).",
        variants=[
            lambda logits, decimals=decimals: np.argmax(np.round(logits, decimals), axis=-1)
            for decimals in range(9)
        ],
    ),
    Mistake(
        "the logits clipped before the argmax",
        "Clipping the logits, as in np.clip(logits, -500, 500) to keep np.exp from "
        "overflowing, makes every logit beyond the bound equal to it: 1000 and 1000.5 "
        "both become 500, and np.argmax returns the first of tied entries. The "
        "prediction needs no exponential, and so no clipping: "
        "np.argmax(logits, axis=-1).",
        variants=[
            lambda z, bound=bound: np.argmax(np.clip(z, -bound, bound), axis=-1)
            for bound in (10, 20, 30, 50, 100, 200, 300, 500, 700, 709)
        ],
    ),
)
