"""TensorFlow 2 (tensorflow-cpu): nested GradientTapes, eager, under tf.function, and tf.function(jit_compile=True)."""
import numpy as np
import tensorflow as tf

SEED_VARIANTS = ["eager", "tf.function", "tf.function xla"]
PINN_VARIANTS = ["eager", "tf.function", "tf.function xla"]
ACT = {"sigmoid": tf.sigmoid, "tanh": tf.tanh, "linear": lambda h: h}


def setup(threads):
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    return {"label": "TensorFlow", "version": tf.__version__}


def weights(net, trainable):
    make = tf.Variable if trainable else tf.constant
    return [make(np.array(a, np.float32).reshape(s)) for L in net["layers"]
            for a, s in ((L["W"], (L["nIn"], L["nOut"])), (L["b"], (L["nOut"],)))]


def mlp(P, net):
    act, out, n = ACT[net["act"]], ACT[net["outAct"]], len(P) // 2

    def f(h):
        for l in range(n):
            h = (act if l + 1 < n else out)(tf.matmul(h, P[2 * l]) + P[2 * l + 1])
        return h
    return f


def compile(fn, variant):
    if variant == "eager":
        return fn
    return tf.function(fn, jit_compile=variant.endswith("xla"), reduce_retracing=True)


def seed(net, n, variant):
    f = mlp(weights(net, False), net)

    # Rows are independent, so the gradient of a column sum is every row's own derivative: one outer gradient per
    # column of g gives the Hessian. (outer.batch_jacobian would too, but eagerly it builds a new pfor graph at
    # every call: ~0.8 s per call here, which no one would time.)
    def derivatives(X):
        with tf.GradientTape(persistent=True, watch_accessed_variables=False) as outer:
            outer.watch(X)
            with tf.GradientTape(watch_accessed_variables=False) as inner:
                inner.watch(X)
                u = f(X)
            g = inner.gradient(u, X)           # [n, 2]: each row is its point's gradient
            g0, g1 = g[:, 0], g[:, 1]
        return u, g, tf.stack([outer.gradient(g0, X), outer.gradient(g1, X)], 1)  # [n, 2, 2]
    run = compile(derivatives, variant)
    return lambda pts: [t.numpy() for t in run(tf.constant(np.asarray(pts, np.float32).reshape(n, 2)))]


class Adam:
    """Adam as in gradtape and torch (bias-corrected moments, eps outside the square root), in tf.Variables."""
    def __init__(self, params, a):
        self.p, self.a = params, a
        self.m = [tf.Variable(tf.zeros_like(p)) for p in params]
        self.v = [tf.Variable(tf.zeros_like(p)) for p in params]
        self.t = tf.Variable(0.0)

    def apply(self, grads):
        a = self.a
        self.t.assign_add(1.0)
        c1, c2 = 1 - a["beta1"] ** self.t, 1 - a["beta2"] ** self.t
        for p, g, m, v in zip(self.p, grads, self.m, self.v):
            m.assign(a["beta1"] * m + (1 - a["beta1"]) * g)
            v.assign(a["beta2"] * v + (1 - a["beta2"]) * g * g)
            p.assign_sub(a["lr"] * (m / c1) / (tf.sqrt(v / c2) + a["eps"]))


def pinn(net, data, adam, variant):
    P = weights(net, True)
    u = mlp(P, net)
    Xc = tf.constant(np.array(data["colloc"], np.float32).reshape(-1, 2))
    Xb = tf.constant(np.array(data["bound"], np.float32).reshape(-1, 2))
    ub = tf.constant(np.array(data["boundU"], np.float32).reshape(-1, 1))
    nu, opt = data["nu"], Adam(P, adam)

    def step():
        with tf.GradientTape() as tw:
            with tf.GradientTape(watch_accessed_variables=False) as t2:
                t2.watch(Xc)
                with tf.GradientTape(watch_accessed_variables=False) as t1:
                    t1.watch(Xc)
                    uc = u(Xc)
                g = t1.gradient(uc, Xc)
                ux, ut = g[:, 0:1], g[:, 1:2]
            uxx = t2.gradient(ux, Xc)[:, 0:1]
            r = ut + uc * ux - nu * uxx
            loss = tf.reduce_mean(r * r) + tf.reduce_mean(tf.square(u(Xb) - ub))
        grads = tw.gradient(loss, P)
        opt.apply(grads)
        return loss, grads
    run = compile(step, variant)

    class Trainer:
        def step(self, with_grads):
            loss, grads = run()
            return float(loss), ([g.numpy() for g in grads] if with_grads else None)

        def params(self):
            return [p.numpy() for p in P]
    return Trainer()
