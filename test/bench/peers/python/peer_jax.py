"""JAX (jax[cpu]): jit of vmap(grad) / vmap(hessian) for the seed, jit of the whole PINN step (loss, weight
gradient, Adam written out, as without optax). The PINN's input derivatives two ways: "jit" vmaps nested grads of
the per-point network (the JAX tutorial way); "jit jvp" pushes tangents of ones along x and t through the batched
network (forward mode; rows are independent, so a jvp of the batch is every point's derivative)."""
import jax
import jax.numpy as jnp
import numpy as np

SEED_VARIANTS = ["jit"]
PINN_VARIANTS = ["jit", "jit jvp"]
ACT = {"sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "linear": lambda h: h}


def setup(threads):
    return {"label": "JAX", "version": jax.__version__}


def weights(net):
    return [jnp.asarray(np.array(a, np.float32).reshape(s)) for L in net["layers"]
            for a, s in ((L["W"], (L["nIn"], L["nOut"])), (L["b"], (L["nOut"],)))]


def mlp(net):
    act, out = ACT[net["act"]], ACT[net["outAct"]]

    def f(P, p):  # one point p [2] -> scalar
        n, h = len(P) // 2, p
        for l in range(n):
            h = (act if l + 1 < n else out)(h @ P[2 * l] + P[2 * l + 1])
        return h[0]
    return f


def seed(net, n, variant):
    P, f = weights(net), mlp(net)
    g = lambda p: f(P, p)
    run = jax.jit(lambda X: (jax.vmap(g)(X), jax.vmap(jax.grad(g))(X), jax.vmap(jax.hessian(g))(X)))
    return lambda pts: [np.asarray(t) for t in run(jnp.asarray(np.asarray(pts, np.float32).reshape(n, 2)))]


def pinn(net, data, adam, variant):
    f = mlp(net)
    Xc = jnp.asarray(np.array(data["colloc"], np.float32).reshape(-1, 2))
    Xb = jnp.asarray(np.array(data["bound"], np.float32).reshape(-1, 2))
    ub = jnp.asarray(np.array(data["boundU"], np.float32))
    nu, a = data["nu"], adam

    ex = jnp.zeros_like(Xc).at[:, 0].set(1.0)
    et = jnp.zeros_like(Xc).at[:, 1].set(1.0)

    def residual_terms(P):
        if variant == "jit jvp":
            fb = jax.vmap(lambda p: f(P, p))
            along_x = lambda X: jax.jvp(fb, (X,), (ex,))
            (uc, uxv), (_, uxx) = jax.jvp(along_x, (Xc,), (ex,))
            return uc, uxv, jax.jvp(fb, (Xc,), (et,))[1], uxx
        u = lambda x, t: f(P, jnp.stack([x, t]))
        ux = jax.grad(u, 0)
        terms = lambda x, t: (u(x, t), ux(x, t), jax.grad(u, 1)(x, t), jax.grad(ux, 0)(x, t))
        return jax.vmap(terms)(Xc[:, 0], Xc[:, 1])

    def loss_fn(P):
        uc, uxv, ut, uxx = residual_terms(P)
        r = ut + uc * uxv - nu * uxx
        return jnp.mean(r * r) + jnp.mean((jax.vmap(lambda p: f(P, p))(Xb) - ub) ** 2)

    @jax.jit
    def step(P, m, v, t):
        loss, g = jax.value_and_grad(loss_fn)(P)
        t = t + 1
        m = [a["beta1"] * mi + (1 - a["beta1"]) * gi for mi, gi in zip(m, g)]
        v = [a["beta2"] * vi + (1 - a["beta2"]) * gi * gi for vi, gi in zip(v, g)]
        c1, c2 = 1 - a["beta1"] ** t, 1 - a["beta2"] ** t
        P = [p - a["lr"] * (mi / c1) / (jnp.sqrt(vi / c2) + a["eps"]) for p, mi, vi in zip(P, m, v)]
        return loss, g, P, m, v, t

    state = {"P": weights(net)}
    state["m"] = [jnp.zeros_like(p) for p in state["P"]]
    state["v"] = [jnp.zeros_like(p) for p in state["P"]]
    state["t"] = jnp.float32(0)

    class Trainer:
        def step(self, with_grads):
            loss, g, state["P"], state["m"], state["v"], state["t"] = step(state["P"], state["m"], state["v"], state["t"])
            return float(loss), ([np.asarray(x) for x in g] if with_grads else None)

        def params(self):
            return [np.asarray(p) for p in state["P"]]
    return Trainer()
