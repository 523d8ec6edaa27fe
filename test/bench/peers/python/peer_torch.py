"""PyTorch (CPU wheel): autograd with create_graph (what PINN code in PyTorch mostly does), torch.func's
vmap(jacrev) / vmap(hessian) for the seed, torch.optim.Adam."""
import numpy as np
import torch
from torch.func import hessian, jacrev, vmap

SEED_VARIANTS = ["autograd", "torch.func"]
PINN_VARIANTS = ["autograd"]
ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "linear": lambda h: h}


def setup(threads):
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    return {"label": "PyTorch", "version": torch.__version__}


def weights(net, trainable):
    return [torch.tensor(np.array(a, np.float32).reshape(s), requires_grad=trainable) for L in net["layers"]
            for a, s in ((L["W"], (L["nIn"], L["nOut"])), (L["b"], (L["nOut"],)))]


def mlp(P, net):
    act, out, n = ACT[net["act"]], ACT[net["outAct"]], len(P) // 2

    def f(h):
        for l in range(n):
            h = (act if l + 1 < n else out)(h @ P[2 * l] + P[2 * l + 1])
        return h
    return f


def seed(net, n, variant):
    f = mlp(weights(net, False), net)
    if variant == "torch.func":
        g = lambda p: f(p.unsqueeze(0))[0, 0]
        grad, hess = vmap(jacrev(g)), vmap(hessian(g))

        def run(X):
            with torch.no_grad():
                return f(X), grad(X), hess(X)
    else:
        def run(X):
            X.requires_grad_(True)
            u = f(X)
            (g,) = torch.autograd.grad(u.sum(), X, create_graph=True)   # rows are independent: per-point gradients
            h0 = torch.autograd.grad(g[:, 0].sum(), X, retain_graph=True)[0]
            h1 = torch.autograd.grad(g[:, 1].sum(), X)[0]
            return u.detach(), g.detach(), torch.stack([h0, h1], 1)
    return lambda pts: [t.numpy() for t in run(torch.tensor(np.asarray(pts, np.float32).reshape(n, 2)))]


def pinn(net, data, adam, variant):
    P = weights(net, True)
    u = mlp(P, net)
    Xc = torch.tensor(np.array(data["colloc"], np.float32).reshape(-1, 2), requires_grad=True)
    Xb = torch.tensor(np.array(data["bound"], np.float32).reshape(-1, 2))
    ub = torch.tensor(np.array(data["boundU"], np.float32).reshape(-1, 1))
    nu = data["nu"]
    opt = torch.optim.Adam(P, lr=adam["lr"], betas=(adam["beta1"], adam["beta2"]), eps=adam["eps"])

    class Trainer:
        def step(self, with_grads):
            opt.zero_grad(set_to_none=True)
            uc = u(Xc)
            (g,) = torch.autograd.grad(uc.sum(), Xc, create_graph=True)
            ux, ut = g[:, 0:1], g[:, 1:2]
            uxx = torch.autograd.grad(ux.sum(), Xc, create_graph=True)[0][:, 0:1]
            r = ut + uc * ux - nu * uxx
            loss = (r * r).mean() + ((u(Xb) - ub) ** 2).mean()
            loss.backward()
            grads = [p.grad.detach().numpy().copy() for p in P] if with_grads else None
            opt.step()
            return loss.item(), grads

        def params(self):
            return [p.detach().numpy().copy() for p in P]
    return Trainer()
