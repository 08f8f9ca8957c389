"""Chapter 8, the Keras classifier: ``one_hot_labels`` and ``accuracy_from_logits``."""

from __future__ import annotations

import numpy as np

from .. import one_hot, softmax
from ._checker import Checker
from ._common import batch_max_softmax, row_mean, row_min, shifted_log_softmax, shifted_softmax
from ._inputs import rows
from ._mistakes import Mistake

one_hot_labels = Checker(
    name="one_hot_labels",
    chapter="08_keras_classifier",
    label="ex-keras-one-hot",
    task="the (N, num_classes) one-hot array of the labels",
    answer_name="my_one_hot",
    parameters=("labels", "num_classes"),
    reference=lambda labels, num_classes: one_hot(labels, num_classes=num_classes),
    cases=[
        (np.array([1, 0, 1, 1, 0]), 4),  # labels.max() + 1 is 2: neither 4 nor 3
        (np.array([0, 4, 2]), 5),
        (np.array([1]), 2),
        (np.array([0, 0, 0]), 1),
        (np.array([6, 6, 2, 0]), 9),
    ],
    covers=(
        "batches of 1 to 5 labels and 1 to 9 classes; batches that lack the last "
        "classes (labels.max() + 1 is too small) and a single class",
    ),
    rtol=0.0,
    atol=0.0,
    mistakes=[
        Mistake(
            "number of classes taken from the labels",
            "labels.max() + 1 is too small when the batch lacks the last class, and the "
            "number of distinct labels when it lacks any class (the labels [1, 0, 1, 1, "
            "0] give 2 columns, not 4): use num_classes, so that every batch has the "
            "same columns.",
            variants=[
                lambda labels, num_classes: np.eye(labels.max() + 1)[labels],
                lambda labels, num_classes: np.eye(len(np.unique(labels)))[labels],
            ],
        ),
        Mistake(
            "one class too few",
            "The array has a column too few: the classes 0 to num_classes - 1 are "
            "num_classes columns, so index np.eye(num_classes) with the labels and "
            "keep every column.",
            variants=[
                lambda labels, num_classes: np.eye(num_classes - 1)[labels],
                lambda labels, num_classes: np.eye(num_classes)[labels][:, :-1],
            ],
        ),
        Mistake(
            "one column per example instead of one row",
            "The targets have one row per example, shape (N, num_classes).",
            variants=[lambda labels, num_classes: np.eye(num_classes)[labels].T],
        ),
        Mistake(
            "the labels shifted by one",
            "The labels count from 0: label 0 is the first column.",
            variants=[lambda labels, num_classes: np.eye(num_classes)[labels - 1]],
        ),
        Mistake(
            "zeros and ones swapped",
            "The 1 goes at the label; every other entry is 0.",
            variants=[lambda labels, num_classes: 1 - np.eye(num_classes)[labels]],
        ),
    ],
    hint_text=(
        "Row k of the identity matrix np.eye(num_classes) is the one-hot vector of "
        "class k; index it with the labels."
    ),
    solution_text="""
def my_one_hot(labels, num_classes):
    return np.eye(num_classes)[labels]
""",
)

_ACCURACY_CASES = [
    (rows((8, 3), seed=801), np.array([1, 0, 2, 2, 1, 0, 0, 2])),
    (rows((5, 4), seed=802), np.array([3, 1, 0, 2, 2])),
    (rows((6, 2), seed=803), np.array([0, 1, 1, 0, 1, 1])),
    # exp(999) and exp(1000) overflow: a softmax without the max shift gives NaN, and
    # np.argmax returns the first NaN, class 0 in the third row, whose label is 1; the
    # last row lies 3000 below the batch's maximum: a softmax shifted by that one
    # maximum gives 0 / 0 there
    (
        np.array(
            [
                [1000.0, -1000.0, 999.0],
                [-1000.0, 1000.0, 0.0],
                [999.0, 1000.0, 0.0],
                [-2000.0, -1999.0, -2001.0],
            ]
        ),
        np.array([0, 0, 1, 1]),
    ),
    (np.array([[2.0], [-1.0], [0.5]]), np.array([0, 0, 0])),
    (np.array([[0.5, -1.0, 2.0, 0.0]]), np.array([1])),
    # right predictions whose top probability is below 0.5: thresholding p_y fails
    (np.array([[1.0, 0.9, 0.8], [0.2, 0.0, 0.1], [0.0, 3.0, 0.0]]), np.array([0, 0, 2])),
    # nothing overflows, but the second row lies 800 below the batch's maximum: only a
    # softmax shifted by that one maximum gives 0 / 0 (it tells the two mistakes apart)
    (np.array([[700.0, 699.0, 698.0], [-100.0, -99.0, -101.0]]), np.array([0, 1])),
    # exp(701) is finite, so the softmax without a shift gets this row right, but the row's
    # mean is -33 and its minimum -1500: shifted by either, exp(734) or exp(2201) is inf
    (np.array([[700.0, 701.0, -1500.0]]), np.array([1])),
]


def _accuracy(logits, labels):
    return float(np.mean(np.argmax(logits, axis=-1) == labels))


def _overflowing_softmax(logits):
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)


def _row_shifted_softmax(shift):
    return lambda z: shifted_softmax(z, shift(z))


def _batch_max_log_softmax(z):
    shifted = z - z.max()
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _accuracy_through(probabilities):
    """The accuracy of the argmax of ``probabilities(logits)`` (a wrong softmax)."""

    def accuracy(logits, labels):
        return float(np.mean(np.argmax(probabilities(logits), axis=-1) == labels))

    return accuracy


accuracy_from_logits = Checker(
    name="accuracy_from_logits",
    chapter="08_keras_classifier",
    label="ex-keras-accuracy",
    task="the fraction of correct predictions, one number",
    answer_name="my_accuracy",
    parameters=("logits", "labels"),
    reference=_accuracy,
    returns=(("accuracy", "number"),),
    cases=_ACCURACY_CASES,
    covers=(
        "batches of 1 to 8 examples with 1 to 4 classes, accuracies from 0 to 1",
        "right predictions whose probability is below 0.5 (logits [1.0, 0.9, 0.8])",
        "logits of size 1000 (a softmax before the argmax must not overflow: in the "
        "row [999, 1000, 0] it gives NaN, and np.argmax takes the first NaN), a row "
        "[-2000, -1999, -2001] far below the batch's largest logit (a softmax shifted "
        "by the batch's maximum gives 0 / 0 there), a row 800 below the batch's "
        "maximum where nothing overflows, a row [700, 701, -1500] 734 above its mean "
        "(a softmax shifted by the row's mean or minimum overflows there), and a single class",
        "an accuracy computed in float32, or returned as a TensorFlow or Keras tensor "
        "(as Keras's metric returns it), is accepted: the relative tolerance is 1e-6",
    ),
    rtol=1e-6,
    mistakes=[
        Mistake(
            "the largest logit of the whole batch",
            "Without `axis`, np.argmax flattens the batch and returns one index, the "
            "position of the largest logit of all: compare the labels with one "
            "prediction per row, np.argmax(logits, axis=-1).",
            variants=[lambda logits, labels: float(np.mean(np.argmax(logits) == labels))],
        ),
        Mistake(
            "the probability of the label thresholded at 0.5",
            "p_y > 0.5 is the two-class rule; with K classes the predicted class can "
            "have a probability below 0.5 (logits [1.0, 0.9, 0.8] give 0.37, 0.33, "
            "0.30). A prediction is correct when the argmax of the logits is the label.",
            variants=[
                lambda logits, labels: float(
                    np.mean(softmax(logits, axis=-1)[np.arange(len(labels)), labels] > 0.5)
                )
            ],
        ),
        Mistake(
            "exponentials that overflow before the argmax",
            "np.exp(1000) is inf, and inf / inf is NaN; np.exp(-2000) is 0, and 0 / 0 "
            "is NaN (a log-softmax without the max shift gives -inf or inf for the "
            "whole row); np.argmax returns the first NaN (or the first of equal values), "
            "which need not be the largest logit. The softmax keeps the order of the "
            "logits, so it is not needed: take np.argmax(logits, axis=-1).",
            variants=[
                _accuracy_through(_overflowing_softmax),
                _accuracy_through(lambda z: z - np.log(np.exp(z).sum(axis=-1, keepdims=True))),
            ],
        ),
        Mistake(
            "a softmax with one maximum, or one sum, for the whole batch",
            "A softmax shifted by the maximum of the whole batch, or normalised over the "
            "whole array (no axis, as scipy.special.softmax(logits) does by default), "
            "leaves a row far below that maximum (the logits near -2000) with exp of "
            "arguments near -3000, which underflow to 0: the row becomes 0 / 0 = NaN, or "
            "all zeros (a log-softmax subtracts log(0) = -inf: every entry is inf), and "
            "np.argmax returns its first entry. Give the softmax the class "
            "axis (axis=-1, keepdims=True for the shift and the sum), or skip it: "
            "np.argmax(logits, axis=-1).",
            variants=[
                _accuracy_through(batch_max_softmax),
                _accuracy_through(lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum()),
                _accuracy_through(_batch_max_log_softmax),
            ],
        ),
        Mistake(
            "the row minimum or mean subtracted instead of the maximum",
            "Only the maximum makes every exponent <= 0: after subtracting the row's "
            "minimum or mean, a logit more than 709.78 above it still overflows. The row "
            "[1000, -1000, 999] less its minimum gives exp(2000), and the row [700, 701, "
            "-1500] less its mean -33 gives exp(734): both are inf (exp(701) is not), and "
            "inf / inf is NaN (a log-softmax gives -inf for the whole row); np.argmax "
            "returns the first NaN (or the first of equal values), which need not be the "
            "largest logit. The softmax keeps the order of the logits, so it is not "
            "needed: take np.argmax(logits, axis=-1).",
            variants=[
                _accuracy_through(form(shift))
                for shift in (row_min, row_mean)
                for form in (_row_shifted_softmax, shifted_log_softmax)
            ],
        ),
        Mistake(
            "the number of correct predictions, not the fraction",
            "Divide the count by the number of examples (np.mean of the booleans does both).",
            variants=[lambda logits, labels: _accuracy(logits, labels) * len(labels)],
        ),
        Mistake(
            "the error rate instead of the accuracy",
            "This is the fraction of wrong predictions; the accuracy is the fraction "
            "of right ones.",
            variants=[lambda logits, labels: 1 - _accuracy(logits, labels)],
        ),
        Mistake(
            "the mean confidence instead of the accuracy",
            "The mean of the largest probabilities is the confidence (chapter 9); the "
            "accuracy counts the predictions that equal the label.",
            variants=[lambda logits, labels: float(np.mean(softmax(logits, axis=-1).max(axis=-1)))],
        ),
    ],
    hint_text=(
        "The predicted class is np.argmax(logits, axis=-1); compare it with the "
        "labels and take the mean of the booleans. No softmax is needed: it does not "
        "change the argmax."
    ),
    solution_text="""
def my_accuracy(logits, labels):
    return np.mean(np.argmax(logits, axis=-1) == labels)
""",
)
