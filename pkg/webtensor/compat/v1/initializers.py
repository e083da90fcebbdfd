"""tf.compat.v1 initializers (`tf.compat.v1.zeros_initializer()` ...), as Keras initializer objects."""
from ...keras.initializers import (Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity,  # noqa: F401
                                   Ones, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
                                   Zeros)

zeros = zeros_initializer = Zeros
ones = ones_initializer = Ones
constant = constant_initializer = Constant
random_normal = random_normal_initializer = RandomNormal
random_uniform = random_uniform_initializer = RandomUniform
truncated_normal = truncated_normal_initializer = TruncatedNormal
glorot_uniform = glorot_uniform_initializer = GlorotUniform
glorot_normal = glorot_normal_initializer = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
variance_scaling = variance_scaling_initializer = VarianceScaling
orthogonal = orthogonal_initializer = Orthogonal
identity = identity_initializer = Identity


def global_variables():
    from .variables import global_variables_initializer
    return global_variables_initializer()


def local_variables():
    from .variables import local_variables_initializer
    return local_variables_initializer()


def variables(var_list, name="init"):
    from .variables import variables_initializer
    return variables_initializer(var_list, name)


def tables_initializer(name="init_all_tables"):
    from .variables import tables_initializer as make
    return make(name)
