"""Tests of softmax_course.keras_models: the chapter 8 classifier, its logits, its history."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from softmax_course import cross_entropy, one_hot, softmax  # noqa: E402
from softmax_course.data import make_blobs_split  # noqa: E402
from softmax_course.keras_models import build_classifier, history_table, logits_of  # noqa: E402


@pytest.fixture(scope="module")
def small_data():
    split = make_blobs_split(n_samples=200, test_size=40, seed=5)
    return split.x_train, one_hot(split.y_train, 4, dtype=np.float32), split.x_test


def test_architecture_and_compilation():
    keras.utils.set_random_seed(0)
    model = build_classifier()
    dense = model.layers[1:]
    assert [layer.units for layer in dense] == [12, 8, 4]
    assert [layer.activation.__name__ for layer in dense] == ["relu", "relu", "softmax"]
    initializers = [layer.kernel_initializer.__class__.__name__ for layer in dense]
    assert initializers == ["HeUniform", "HeUniform", "GlorotUniform"]
    assert model.input.shape == (None, 2)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-3)
    assert model.loss.get_config()["from_logits"] is False
    logits_model = build_classifier(head="logits", hidden_units=(5,), num_classes=3)
    assert logits_model.layers[-1].activation.__name__ == "linear"
    assert logits_model.loss.get_config()["from_logits"] is True
    assert [layer.units for layer in logits_model.layers[1:]] == [5, 3]


def test_logits_of_a_softmax_head_reproduce_its_outputs(small_data):
    keras.utils.set_random_seed(1)
    model = build_classifier()
    _, _, x_test = small_data
    logits = logits_of(model, x_test)
    probs = keras.ops.convert_to_numpy(model(x_test))
    assert logits.dtype == np.float32 and logits.shape == (40, 4)
    np.testing.assert_allclose(softmax(logits), probs, rtol=0, atol=2e-7)
    # the logits of a logits head are its outputs
    logits_model = build_classifier(head="logits")
    np.testing.assert_array_equal(
        logits_of(logits_model, x_test), keras.ops.convert_to_numpy(logits_model(x_test))
    )


def test_keras_loss_matches_the_package(small_data):
    keras.utils.set_random_seed(2)
    model = build_classifier(head="logits")
    _, _, x_test = small_data
    logits = logits_of(model, x_test)
    labels = np.arange(40) % 4
    keras_loss = keras.losses.CategoricalCrossentropy(from_logits=True)(
        one_hot(labels, 4, dtype=np.float32), logits
    )
    expected = cross_entropy(logits.astype(np.float64), labels)
    assert float(keras_loss) == pytest.approx(float(expected), rel=1e-6)


def test_training_is_reproducible_and_both_heads_train_alike(small_data):
    x_train, y_train, x_test = small_data
    weights = {}
    for run, head in enumerate(["softmax", "softmax", "logits"]):
        keras.utils.set_random_seed(3)
        model = build_classifier(head=head, seed=3)
        model.fit(x_train, y_train, epochs=2, batch_size=16, verbose=0)
        weights[run] = model.get_weights()
    for first, again in zip(weights[0], weights[1], strict=True):
        np.testing.assert_array_equal(first, again)
    # same start and batches: the two heads end close (the TensorFlow backend even
    # recovers the logits of a softmax output inside the loss)
    for first, other in zip(weights[0], weights[2], strict=True):
        np.testing.assert_allclose(first, other, rtol=0, atol=1e-5)


def test_seed_fixes_the_initial_weights_whatever_the_global_state():
    import random

    weights = []
    for global_seed in (0, 1):
        keras.utils.set_random_seed(global_seed)
        random.random()  # someone else uses Python's global generator
        weights.append(build_classifier(head="logits", seed=7).get_weights())
    other = build_classifier(head="logits", seed=8).get_weights()
    for first, second, third in zip(weights[0], weights[1], other, strict=True):
        np.testing.assert_array_equal(first, second)
        if first.any():
            assert not np.array_equal(first, third)
    softmax_weights = build_classifier(head="softmax", seed=7).get_weights()
    for first, second in zip(weights[0], softmax_weights, strict=True):
        np.testing.assert_array_equal(first, second)


def test_bad_arguments():
    with pytest.raises(ValueError, match="build_classifier: head must be one of"):
        build_classifier(head="sigmoid")
    with pytest.raises(ValueError, match="build_classifier: num_classes must be at least 2"):
        build_classifier(num_classes=1)
    with pytest.raises(TypeError, match="num_features"):
        build_classifier(num_features=2.0)
    with pytest.raises(ValueError, match="hidden_units"):
        build_classifier(hidden_units=())
    with pytest.raises(ValueError, match="learning_rate"):
        build_classifier(learning_rate=-1.0)
    with pytest.raises(TypeError, match="seed"):
        build_classifier(seed=1.5)
    with pytest.raises(ValueError, match="seed"):
        build_classifier(seed=-1)
    with pytest.raises(TypeError):  # options are keyword-only
        build_classifier(2, 4)
    inputs = keras.Input(shape=(2,))
    not_dense = keras.Model(inputs, keras.layers.Activation("softmax")(inputs))
    with pytest.raises(TypeError, match="Dense"):
        logits_of(not_dense, np.zeros((1, 2), dtype=np.float32))


def test_history_table():
    history = {"loss": [1.0, 0.5, 0.25, 0.2, 0.1, 0.05, 0.01], "accuracy": [0.1] * 7}
    columns, rows = history_table(history, every=3)
    assert columns == ["epoch", "loss", "accuracy"]
    assert [row[0] for row in rows] == [1, 3, 6, 7]
    assert rows[1] == (3, 0.25, 0.1)
    assert all(isinstance(value, float) for value in rows[0][1:])
    with pytest.raises(TypeError):  # every is keyword-only
        history_table({"loss": [1.0]}, 2)
    with pytest.raises(ValueError, match="history_table: the history holds no metrics"):
        history_table({})
    with pytest.raises(ValueError, match="no epochs"):
        history_table({"loss": []})
    with pytest.raises(ValueError, match="one value per epoch"):
        history_table({"loss": [1.0], "accuracy": [0.5, 0.6]})
    with pytest.raises(ValueError, match="every"):
        history_table(history, every=0)
