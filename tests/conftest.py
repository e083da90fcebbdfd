"""Shared fixtures: the `backend` parameter runs a test once per available backend."""
import os

import pytest

import webtensor as tf

# Tolerances for float32 forward results per backend; float64 is always checked tightly.
# WebGPU: WGSL's accuracy rules allow a few ulps for exp/log and more for trig near range limits.
# wasm: musl's float32 libm and blocked matmul sums differ from numpy's by a few ulps.
TOLERANCES = {"numpy": dict(rtol=1e-5, atol=1e-6), "webgpu": dict(rtol=1e-3, atol=1e-5),
              "wasm": dict(rtol=1e-5, atol=1e-6)}


def backends_under_test():
    wanted = os.environ.get("WEBTENSOR_TEST_BACKENDS")
    names = tf.config.available_backends()
    return [n for n in names if not wanted or n in wanted.split(",")]


@pytest.fixture(params=backends_under_test())
def backend(request):
    """Makes request.param the default backend for the test, restoring the previous one after."""
    previous = tf.config.get_backend()
    tf.config.set_backend(request.param)
    try:
        yield request.param
    finally:
        tf.config.set_backend(previous)
