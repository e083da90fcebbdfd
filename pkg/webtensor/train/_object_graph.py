"""The object graph a checkpoint saves: trackable objects reached by attribute name from a root.

Trackable objects are tf.Module (Keras layers and models included), tf.Variable, lists, tuples
and dicts of them, Keras objects (optimizers, metrics), and any object with a
`_trackable_children()` method returning {name: child}. Objects are numbered breadth-first from
the root, attributes in sorted order (public before private), so a variable's key is its
shortest path: "model/dense/kernel/.ATTRIBUTES/VARIABLE_VALUE", as TensorFlow names them.
Restoring walks the saved graph and the live objects side by side, edge name by edge name.
"""
from ..core.module import Module
from ..core.variable import Variable

VALUE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"

# attributes that point back into the model's wiring, never to state of its own
_SKIPPED_ATTRIBUTES = frozenset(("_inbound_nodes", "_outbound_nodes", "_keras_history", "_parent",
                                 "_checkpoint_restores",
                                 "_self_unconditional_checkpoint_dependencies",
                                 "_self_unconditional_dependency_names"))


def escape(name):
    """A child name as one path segment: '.' -> '..', '/' -> '.S' (TensorFlow's escaping)."""
    return str(name).replace(".", "..").replace("/", ".S")


def is_container(obj):
    return isinstance(obj, (list, tuple, dict))


def is_trackable(obj):
    if isinstance(obj, (Variable, Module, list, tuple, dict)):
        return True
    if hasattr(type(obj), "_trackable_children"):
        return True
    module = type(obj).__module__ or ""
    # Keras objects (optimizers, metrics) hold state; callbacks only point back at the model
    return module.startswith("webtensor.keras") and not module.startswith("webtensor.keras.callbacks") \
        and hasattr(obj, "__dict__")


def children(obj):
    """[(name, child)] of a trackable object, in the order the object graph numbers them."""
    if isinstance(obj, Variable):
        return []
    if isinstance(obj, dict):
        items = [(k, v) for k, v in obj.items() if isinstance(k, (str, int)) and not isinstance(k, bool)]
        try:
            items.sort(key=lambda kv: kv[0])
        except TypeError:
            items.sort(key=lambda kv: str(kv[0]))
        return [(str(k), v) for k, v in items if is_trackable(v)]
    if isinstance(obj, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(obj) if is_trackable(v)]
    custom = getattr(obj, "_trackable_children", None)
    if custom is not None and callable(custom):
        return [(str(k), v) for k, v in custom().items()
                if is_trackable(v) or (v is not None and hasattr(v, "__dict__") and not callable(v))]
    attrs = getattr(obj, "__dict__", None)
    if attrs is None:
        return []
    ignored = getattr(obj, "_TF_MODULE_IGNORED_PROPERTIES", ())
    # NOTE: "_checkpoint_restores" and the wrapped methods are a pending restore's hooks, not state
    items = [(k, v) for k, v in attrs.items()
             if k not in ignored and k not in _SKIPPED_ATTRIBUTES and not k.startswith("__") and is_trackable(v)]
    items.sort(key=lambda kv: (kv[0].startswith("_"), kv[0]))
    return items


def child(obj, name):
    """The live child of obj named `name` (as children() names it), or None."""
    for n, c in children(obj):
        if n == name:
            return c
    return None


def build(root):
    """The object graph of root as JSON data, and {key: variable} for every variable in it.

    Nodes: [{"children": {name: node_id}, "variable": key or absent}], node 0 is the root; subtrees
    holding no variable are left out.
    """
    objs, ids, edges, paths = [root], {id(root): 0}, [[]], [""]
    queue = [0]
    while queue:
        i = queue.pop(0)
        for name, c in children(objs[i]):
            j = ids.get(id(c))
            if j is None:
                j = ids[id(c)] = len(objs)
                objs.append(c)
                edges.append([])
                paths.append(f"{paths[i]}/{escape(name)}" if paths[i] else escape(name))
                queue.append(j)
            edges[i].append((name, j))
    # keep only nodes with a variable somewhere below them
    keep = [isinstance(o, Variable) for o in objs]
    changed = True
    while changed:
        changed = False
        for i, es in enumerate(edges):
            if not keep[i] and any(keep[j] for _, j in es):
                keep[i] = changed = True
    keep[0] = True
    new_id, kept = {}, [i for i in range(len(objs)) if keep[i]]
    for n, i in enumerate(kept):
        new_id[i] = n
    nodes, variables = [], {}
    for i in kept:
        node = {"children": {name: new_id[j] for name, j in edges[i] if keep[j]}}
        if isinstance(objs[i], Variable):
            key = paths[i] + VALUE_SUFFIX
            node["variable"] = key
            variables[key] = objs[i]
        nodes.append(node)
    return {"nodes": nodes}, variables


def live_variables(root):
    """Every variable reachable from root (id -> variable)."""
    return {id(v): v for v in build(root)[1].values()}
