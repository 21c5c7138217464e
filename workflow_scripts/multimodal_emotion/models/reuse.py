"""Networks built and traced once per training job, re-initialised for every fit (issue 27).

A training job fits one configuration on every fold in a row. Building a Keras network and
tracing its training step cost more than the steps themselves on the small default data, so
inside :func:`reusing_networks` a DCCA or BDDAE fit takes the previous fit's network,
optimizers and traced steps when its architecture (``key``) is the same, and gives them the
values a fresh build would start from:

* weights: for each layer in build order, a new unseeded initializer like the layer's own
  (it draws its seed from Python's ``random`` exactly as the build did, after the same
  ``seed_everything``), or a Dropout layer's seed generator set back to its starting state;
* optimizers: every variable zero (step count, moments) and this fit's learning rate.

So a reused fit ends byte-identical to a fresh one (tests/test_dcca.py, tests/test_models.py).
The Bimodal-LSTM's grouped training (:mod:`.grouped_lstm`) reuses, inside the block, one
inference network per group slot (its traced feature function) for the refit's inputs.
Outside the block every fit builds its own network, as before. Inside it, a fitted model
shares its network with the next fit of the same key, so it is valid until then:
:func:`~.search.train_shard` saves each model before fitting the next, and a stale model
raises instead of answering with the next fit's weights.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from contextlib import contextmanager
from typing import Any

#: The last graph built inside :func:`reusing_networks` (one at a time: its variables go with it).
_CACHE: dict[str, Any] = {"depth": 0, "key": None, "graph": None, "owner": None}


@contextmanager
def reusing_networks():
    """Let the fits inside reuse the previous fit's network and traced steps (see the module)."""
    _CACHE["depth"] += 1
    try:
        yield
    finally:
        _CACHE["depth"] -= 1
        if not _CACHE["depth"]:
            _CACHE.update(key=None, graph=None, owner=None)


def reusing() -> bool:
    """Whether the caller runs inside :func:`reusing_networks` (a training job)."""
    return _CACHE["depth"] > 0


def shared_graph(owner, key: Hashable, build: Callable[[], Any]) -> tuple[Any, bool]:
    """Return ``(graph, fresh)``: ``build()``'s result, or inside :func:`reusing_networks` the
    previous fit's graph of the same ``key`` (``fresh`` False: the caller re-initialises it).
    The previous owner of a reused graph is marked stale."""
    owner._network_taken = False
    if not _CACHE["depth"]:
        return build(), True
    if _CACHE["key"] == key:
        previous = _CACHE["owner"]
        if previous is not None and previous is not owner:
            previous._network_taken = True
        _CACHE["owner"] = owner
        return _CACHE["graph"], False
    _CACHE.update(key=None, graph=None, owner=None)  # free the old variables before building
    graph = build()
    _CACHE.update(key=key, graph=graph, owner=owner)
    return graph, True


def reinitialise(model, layer_names: Sequence[str]) -> None:
    """Set ``model``'s layers (``layer_names`` in build order) to what a fresh build draws now."""
    import keras

    for name in layer_names:
        layer = model.get_layer(name)
        generator = getattr(layer, "seed_generator", None)
        if generator is not None:  # a Dropout layer: SeedGenerator(None) draws its seed the same way
            generator.state.assign(keras.random.SeedGenerator().state.value)
            continue
        config = {**layer.kernel_initializer.get_config(), "seed": None}
        kernel_init = type(layer.kernel_initializer).from_config(config)  # draws its seed, as the build did
        layer.kernel.assign(kernel_init(tuple(layer.kernel.shape), layer.kernel.dtype))
        layer.bias.assign(layer.bias_initializer(tuple(layer.bias.shape), layer.bias.dtype))


def reset_optimizer(optimizer, learning_rate: float) -> None:
    """Put a built Keras optimizer back to its state after ``build`` with ``learning_rate``."""
    import numpy as np

    for variable in optimizer.variables:
        variable.assign(np.zeros(variable.shape, variable.dtype))
    optimizer.learning_rate = learning_rate
