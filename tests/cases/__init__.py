"""The op-case table: every primitive's forward and gradient cases, run on every backend.

A case calls webtensor (``fn(tf, *tensors)``) and names an independent numpy
reference computed in float64 (``reference(*arrays)``). Float inputs are cast
to each dtype in ``dtypes`` for the forward check; gradients are checked in
float64 against central finite differences of the same call.

Add cases to the module of the op's family (math, array, reduction, linalg,
nn, random); `tests/test_op_table.py` collects them all.
"""
import dataclasses
import importlib
from typing import Any, Callable

import numpy as np


@dataclasses.dataclass
class OpCase:
    ops: Any                      # the registered primitive name(s) this case exercises (str or tuple)
    fn: Callable                  # fn(tf, *tensors) -> Tensor, or a list/tuple of Tensors
    inputs: list                  # numpy arrays; float arrays are cast to each of `dtypes`
    reference: Callable = None    # reference(*float64 arrays) -> expected array(s); None: gradient-only case
    name: str = None
    dtypes: tuple = ("float32", "float64")
    grad: Any = True              # True: every float input; a tuple: those input indices; False: none
    rtol: float = None            # float32 forward tolerance override (e.g. transcendental ops)
    atol: float = None
    grad_rtol: float = 1e-5
    grad_atol: float = 1e-7
    eps: float = 1e-6             # finite-difference step

    def __post_init__(self):
        if isinstance(self.ops, str):
            self.ops = (self.ops,)
        if self.name is None:
            self.name = self.ops[0]

    def float_inputs(self):
        return [i for i, x in enumerate(self.inputs) if np.asarray(x).dtype.kind == "f"]

    def grad_inputs(self):
        if self.grad is True:
            return self.float_inputs()
        if not self.grad:
            return []
        return list(self.grad)


def rand(*shape, low=-1.0, high=1.0, seed=0):
    """A reproducible float64 array, uniform in [low, high)."""
    rng = np.random.default_rng(seed + 7919 * len(shape) + sum(shape))
    return rng.uniform(low, high, size=shape)


def positive(*shape, seed=0):
    return rand(*shape, low=0.5, high=2.0, seed=seed)


FAMILIES = ("math_cases", "array_cases", "reduction_cases", "linalg_cases", "nn_cases", "random_cases")


def all_cases():
    cases = []
    for family in FAMILIES:
        try:
            module = importlib.import_module(f"cases.{family}")
        except ModuleNotFoundError as e:
            if e.name != f"cases.{family}":
                raise
            continue
        cases.extend(module.CASES)
    names = [c.name for c in cases]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ValueError(f"duplicate op-case names: {sorted(dupes)}")
    return cases
