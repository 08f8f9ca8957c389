"""The small Keras 3 classifier of chapter 8, and a way to read its logits.

Keras (and TensorFlow) are imported inside the functions, so that
``import softmax_course`` stays light and works without them.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np

from ._validation import check_choice, check_integer, check_optional_integer

if TYPE_CHECKING:
    import keras

__all__ = ["HEADS", "build_classifier", "history_table", "logits_of"]

#: The two output heads of :func:`build_classifier`.
HEADS = ("softmax", "logits")


def build_classifier(
    *,
    num_features=2,
    num_classes=4,
    head="softmax",
    hidden_units=(12, 8),
    learning_rate=1e-3,
    seed=None,
) -> keras.Model:
    """A compiled multilayer perceptron classifier with a softmax or a logits head.

    Introduced in chapter 8 (:ref:`sec-keras-model`).

    The network is ``keras.Input(num_features)`` → one ``Dense(units, relu,
    He uniform)`` layer per entry of ``hidden_units`` → ``Dense(num_classes)``
    (Glorot uniform, the Keras default), as in the source article's example.
    With ``head="softmax"`` the last layer has a softmax activation and the
    loss is ``CategoricalCrossentropy(from_logits=False)``; with
    ``head="logits"`` the last layer is linear and the loss is
    ``CategoricalCrossentropy(from_logits=True)``.
    Both are compiled with Adam and the accuracy metric; the targets are
    one-hot vectors.

    Give ``seed`` for reproducible initial weights: layer ``i`` (from 0) is
    initialised with seed ``seed + i``, so the weights do not depend on any
    global random state. Without it, Keras draws seeds from Python's global
    ``random`` module, which other code in the same process (for example a
    Jupyter kernel's threads) may also use, so that even
    :func:`keras.utils.set_random_seed` does not make them repeatable.

    Parameters
    ----------
    num_features : int, default 2
        The length of one input vector.
    num_classes : int, default 4
        The number of output units (at least 2).
    head : {"softmax", "logits"}, default "softmax"
        What the model outputs: probabilities or logits.
    hidden_units : sequence of int, default (12, 8)
        The widths of the hidden layers (at least one).
    learning_rate : float, default 0.001
        Adam's learning rate (a finite number > 0).
    seed : int, optional
        Seeds the initial weights (a non-negative integer).

    Returns
    -------
    keras.Model
        The compiled model, named ``"softmax_head"`` or ``"logits_head"``.

    Raises
    ------
    TypeError
        If a count or ``seed`` is not an integer.
    ValueError
        If ``head`` is unknown, ``num_classes < 2``, ``hidden_units`` is empty
        ``learning_rate`` is not a finite positive number, or ``seed`` is negative.

    Examples
    --------
    >>> model = build_classifier(head="logits", seed=0)
    >>> [layer.units for layer in model.layers[1:]]
    [12, 8, 4]
    >>> model.loss.get_config()["from_logits"]
    True
    """
    function = "build_classifier"
    check_choice(head, "head", HEADS, function)
    num_features = check_integer(num_features, "num_features", function, minimum=1)
    num_classes = check_integer(num_classes, "num_classes", function, minimum=2)
    hidden_units = [
        check_integer(units, "hidden_units", function, minimum=1) for units in hidden_units
    ]
    if not hidden_units:
        raise ValueError(f"{function}: hidden_units must list at least one hidden layer width.")
    if (
        isinstance(learning_rate, (bool, np.bool_))
        or not isinstance(learning_rate, numbers.Real)
        or not (np.isfinite(learning_rate) and learning_rate > 0)
    ):
        raise ValueError(
            f"{function}: learning_rate must be a finite number > 0; got {learning_rate!r}."
        )
    seed = check_optional_integer(seed, "seed", function, minimum=0)

    import keras

    inputs = keras.Input(shape=(num_features,), name="features")

    def seeded(initializer, index):
        return initializer(seed=None if seed is None else int(seed) + index)

    x = inputs
    for index, units in enumerate(hidden_units):
        initializer = seeded(keras.initializers.HeUniform, index)
        x = keras.layers.Dense(units, activation="relu", kernel_initializer=initializer)(x)
    activation = "softmax" if head == "softmax" else None
    outputs = keras.layers.Dense(
        num_classes,
        activation=activation,
        kernel_initializer=seeded(keras.initializers.GlorotUniform, len(hidden_units)),
        name="output",
    )(x)
    model = keras.Model(inputs, outputs, name=f"{head}_head")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.CategoricalCrossentropy(from_logits=head == "logits"),
        metrics=["accuracy"],
    )
    return model


def logits_of(model: keras.Model, x) -> np.ndarray:
    """The logits of a model built by :func:`build_classifier`, whatever its head.

    Introduced in chapter 8 (:ref:`sec-keras-open-the-box`).

    For a logits head these are the model's outputs. For a softmax head they
    are the inputs of its final softmax: the features of the last hidden layer
    times the output layer's kernel, plus its bias, computed by Keras in float32.
    The model is called directly (eagerly), not through ``predict``.

    Parameters
    ----------
    model : keras.Model
        A model whose last layer is a ``Dense`` layer.
    x : array_like
        Inputs, shape ``(n, num_features)``.

    Returns
    -------
    numpy.ndarray
        float32 logits of shape ``(n, num_classes)``.

    Raises
    ------
    TypeError
        If the last layer of ``model`` is not a ``Dense`` layer.

    Examples
    --------
    >>> import keras
    >>> model = build_classifier(head="softmax", seed=0)
    >>> points = np.array([[0.0, 1.0], [2.0, 3.0]], dtype=np.float32)
    >>> logits = logits_of(model, points)
    >>> logits.shape, logits.dtype
    ((2, 4), dtype('float32'))
    >>> probs = keras.ops.convert_to_numpy(model(points))
    >>> bool(np.allclose(keras.ops.softmax(logits), probs, atol=1e-7))
    True
    """
    import keras

    last = model.layers[-1]
    if not isinstance(last, keras.layers.Dense):
        raise TypeError(
            f"logits_of: the last layer must be a Dense layer; got {type(last).__name__}."
        )
    linear = keras.layers.Dense(last.units, name="logits")
    features = last.input
    logits_model = keras.Model(model.input, linear(features))
    linear.set_weights(last.get_weights())
    inputs = np.asarray(x, dtype=np.float32)
    return keras.ops.convert_to_numpy(logits_model(inputs, training=False))


def history_table(history, *, every: int = 5) -> tuple[list[str], list[tuple]]:
    """The per-epoch metrics of a Keras ``History``, as rows for printing.

    Introduced in chapter 8 (:ref:`sec-keras-training`).

    Parameters
    ----------
    history : keras.callbacks.History or dict
        What ``model.fit`` returns, or its ``history`` dictionary
        (metric name → list of per-epoch values).
    every : int, default 5
        Keep epoch 1, every ``every``-th epoch, and the last epoch.

    Returns
    -------
    columns : list of str
        ``"epoch"`` then the metric names, in the order of the dictionary.
    rows : list of tuple
        One row per kept epoch: the 1-based epoch number, then the metrics as floats.

    Raises
    ------
    ValueError
        If there are no metrics or the metrics have different lengths.

    Examples
    --------
    >>> metrics = {"loss": [0.9, 0.5, 0.3], "accuracy": [0.5, 0.8, 0.9]}
    >>> columns, rows = history_table(metrics, every=2)
    >>> columns
    ['epoch', 'loss', 'accuracy']
    >>> rows
    [(1, 0.9, 0.5), (2, 0.5, 0.8), (3, 0.3, 0.9)]
    """
    function = "history_table"
    every = check_integer(every, "every", function, minimum=1)
    metrics = getattr(history, "history", history)
    if not metrics:
        raise ValueError(f"{function}: the history holds no metrics.")
    lengths = {len(values) for values in metrics.values()}
    if len(lengths) != 1:
        raise ValueError(
            f"{function}: every metric must have one value per epoch; got lengths {lengths}."
        )
    (num_epochs,) = lengths
    if num_epochs == 0:
        raise ValueError(f"{function}: the history holds no epochs.")
    kept = sorted({0, num_epochs - 1} | set(range(every - 1, num_epochs, every)))
    rows = [(epoch + 1, *(float(values[epoch]) for values in metrics.values())) for epoch in kept]
    return ["epoch", *metrics], rows
