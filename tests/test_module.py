"""tf.Module: variable and submodule discovery, naming and name scopes."""
import numpy as np
import pytest

import webtensor as tf


class Leaf(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(1.0, name="w")
        self.b = tf.Variable(2.0, name="b")
        self.frozen = tf.Variable(3.0, trainable=False, name="frozen")


def test_variables_through_attributes_are_sorted_by_name():
    m = Leaf()
    assert [v.name for v in m.variables] == ["b:0", "frozen:0", "w:0"]
    assert [v.name for v in m.trainable_variables] == ["b:0", "w:0"]
    assert [v.name for v in m.non_trainable_variables] == ["frozen:0"]
    assert isinstance(m.variables, tuple)


def test_containers_lists_tuples_dicts():
    m = tf.Module()
    m.layers = [tf.Variable(1.0, name="l0"), (tf.Variable(2.0, name="t0"), tf.Variable(3.0, name="t1"))]
    m.table = {"z": tf.Variable(4.0, name="dz"), "a": tf.Variable(5.0, name="da")}
    m.plain = 3
    m.text = "not a variable"
    # Attributes sorted (layers < plain < table < text); dict entries by sorted key; lists in order.
    assert [v.name for v in m.variables] == ["l0:0", "t0:0", "t1:0", "da:0", "dz:0"]


def test_deduplication():
    m = tf.Module()
    v = tf.Variable(1.0, name="shared")
    m.a = v
    m.b = [v, v]
    m.c = {"k": v}
    assert m.variables == (v,)
    sub = Leaf()
    m.s1 = sub
    m.s2 = [sub]
    assert m.submodules == (sub,)
    assert len(m.variables) == 4


def test_depth_first_order_and_submodules():
    root = tf.Module(name="root")
    root.z_child = Leaf(name="z_child")
    root.a_child = tf.Module(name="a_child")
    root.a_child.grandchild = Leaf(name="grandchild")
    root.a_child.v = tf.Variable(0.0, name="a_v")
    root.own = tf.Variable(9.0, name="own")
    assert [m.name for m in root.submodules] == ["a_child", "z_child", "grandchild"]
    names = [v.name for v in root.variables]
    # root's own variables first, then a_child's subtree, then z_child's.
    assert names == ["own:0", "a_v:0", "b:0", "frozen:0", "w:0", "b:0", "frozen:0", "w:0"]
    vs = root.variables
    assert vs[2] is root.a_child.grandchild.b and vs[5] is root.z_child.b


def test_cycles_do_not_recurse_forever():
    a = tf.Module(name="a")
    b = tf.Module(name="b")
    a.b = b
    b.a = a
    b.v = tf.Variable(1.0)
    assert a.submodules == (b,)
    assert len(a.variables) == 1


def test_name_and_default_name():
    assert tf.Module().name == "module"
    assert Leaf().name == "leaf"

    class MyDenseLayer(tf.Module):
        pass
    assert MyDenseLayer().name == "my_dense_layer"
    assert tf.Module(name="custom").name == "custom"
    with pytest.raises(ValueError, match="valid"):
        tf.Module(name="not valid!")


def test_name_scope():
    m = tf.Module(name="outer")
    with m.name_scope:
        v = tf.Variable(1.0, name="v")
    assert v.name == "outer/v:0"
    assert m.name_scope.name == "outer/"
    with tf.name_scope("parent"):
        inner = tf.Module(name="inner")
    with inner.name_scope:
        assert tf.Variable(1.0, name="x").name == "parent/inner/x:0"


def test_with_name_scope():
    class MyModule(tf.Module):
        @tf.Module.with_name_scope
        def __call__(self, x):
            if not hasattr(self, "w"):
                self.w = tf.Variable(tf.ones([x.shape[1], 3]))
            return tf.matmul(x, self.w)
    mod = MyModule()
    out = mod(tf.ones([1, 2]))
    np.testing.assert_array_equal(out.numpy(), [[2.0, 2.0, 2.0]])
    assert mod.w.name == "my_module/Variable:0"
    assert mod.trainable_variables == (mod.w,)


def test_module_without_super_init_still_finds_variables():
    class MyModule(tf.Module):
        def __init__(self, value):
            self.weight = tf.Variable(value)

        @tf.function
        def multiply(self, x):
            return x * self.weight
    mod = MyModule(3)
    assert [v.numpy() for v in mod.variables] == [3]
    np.testing.assert_array_equal(mod.multiply(tf.constant([1, 2, 3])).numpy(), [3, 6, 9])


class Dense(tf.Module):
    def __init__(self, in_features, out_features, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(tf.random.normal([in_features, out_features]), name="w")
        self.b = tf.Variable(tf.zeros([out_features]), name="b")

    def __call__(self, x):
        y = tf.matmul(x, self.w) + self.b
        return tf.nn.relu(y)


class SequentialModule(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1 = Dense(in_features=3, out_features=3)
        self.dense_2 = Dense(in_features=3, out_features=2)

    def __call__(self, x):
        x = self.dense_1(x)
        return self.dense_2(x)


def test_guide_dense_and_sequential():
    my_model = SequentialModule(name="the_model")
    x = tf.constant([[2.0, 2.0, 2.0]])
    out = my_model(x)
    assert out.shape == [1, 2]
    d1, d2 = my_model.dense_1, my_model.dense_2
    want = np.maximum(np.maximum(x.numpy() @ d1.w.numpy() + d1.b.numpy(), 0) @ d2.w.numpy() + d2.b.numpy(), 0)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-6)
    assert my_model.submodules == (d1, d2)
    assert [v.name for v in my_model.variables] == ["b:0", "w:0", "b:0", "w:0"]
    assert my_model.variables[0] is d1.b and my_model.variables[3] is d2.w
    assert my_model.name == "the_model" and d1.name == "dense"
    assert [v.shape.as_list() for v in my_model.trainable_variables] == [[3], [3, 3], [2], [3, 2]]


def test_training_a_module_with_tape():
    m = Dense(2, 1)
    m.w.assign([[0.5], [0.5]])
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tf.constant([[5.0], [11.0]])
    for _ in range(300):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, m.w) + m.b - y))
        grads = tape.gradient(loss, m.trainable_variables)
        for g, v in zip(grads, m.trainable_variables):
            v.assign_sub(0.05 * g)
    assert loss.numpy() < 1e-2
