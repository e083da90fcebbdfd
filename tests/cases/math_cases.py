"""Elementwise ops: unary and binary families, comparisons, logic, where, cast."""
import math

import numpy as np

from . import OpCase, positive, rand

CASES = [
    OpCase("exp", lambda tf, x: tf.exp(x), [rand(3, 4)], np.exp),
    OpCase("add", lambda tf, x, y: x + y, [rand(3, 4), rand(4, seed=1)], np.add, name="add_broadcast"),
    OpCase("log", lambda tf, x: tf.math.log(x), [positive(2, 3)], np.log),
    OpCase("erf", lambda tf, x: tf.math.erf(x), [rand(5)], np.vectorize(math.erf)),
]
