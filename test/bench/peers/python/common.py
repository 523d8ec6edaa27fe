"""Shared by the native peers' workers: thread settings, the inputs gradtape exported, timing, the result record.

A worker runs one framework at one thread count in one process (thread pools are fixed at start-up), every
workload and variant of that framework, and writes one JSON record per row. It does not judge its numbers: the
Node side (run.mjs) checks each row's first outputs against the float64 reference with test/bench/check.mjs and
drops the timing of a wrong row, so every framework is judged by the same code as gradtape.
"""
import json
import os
import sys
import time
import traceback


def limit_threads(n):
    """Before any framework is imported: the environment its thread pools read at start-up."""
    n = str(n)
    os.environ["OMP_NUM_THREADS"] = n
    os.environ["MKL_NUM_THREADS"] = n
    os.environ["OPENBLAS_NUM_THREADS"] = n
    os.environ["TF_NUM_INTRAOP_THREADS"] = n
    os.environ["TF_NUM_INTEROP_THREADS"] = "1"
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    # XLA's CPU runtime (JAX, and TF's jit_compile): one thread means no Eigen thread pool in the compiled code
    eigen = "false" if n == "1" else "true"
    os.environ["XLA_FLAGS"] = f"--xla_cpu_multi_thread_eigen={eigen} intra_op_parallelism_threads={n}"
    # One thread also means one core: with the flags above JAX 0.10's CPU runtime still ran parts of its programs
    # on a second core (pinn-step "jit jvp": 78 ms of CPU time per 41 ms step; pinned, 59 ms of each), so a
    # one-thread row is pinned to one of the CPUs this process may use. XLA and the thread pools size themselves
    # from the affinity mask they find at start-up, hence before any import.
    if n == "1" and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def load_inputs(path):
    with open(path) as f:
        return json.load(f)


# same sample counts as test/bench/harness.mjs's profiles (seed-single warms up by calls AND by time)
PROFILES = {
    "full": {"seedSingle": (300, 1.0, 51), "seedBatch": (2, 0.0, 7), "pinn": (1, 0.0, 5)},
    "quick": {"seedSingle": (100, 1.0, 21), "seedBatch": (1, 0.0, 3), "pinn": (1, 0.0, 3)},
    "tiny": {"seedSingle": (1, 0.0, 3), "seedBatch": (0, 0.0, 1), "pinn": (0, 0.0, 1)},
}


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def measure(fn, warmup, warmup_s, samples):
    """Median wall time of one call (ms) and the median process CPU time (all threads) of the same calls."""
    t0 = time.perf_counter()
    i = 0
    while i < warmup or time.perf_counter() - t0 < warmup_s:
        fn()
        i += 1
    wall, cpu = [], []
    for _ in range(samples):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        wall.append(1e3 * (time.perf_counter() - w0))
        cpu.append(1e3 * (time.process_time() - c0))
    return {"median": median(wall), "cpuMedian": median(cpu), "min": min(wall), "max": max(wall), "samples": wall}


def flat(a):
    import numpy as np
    return np.asarray(a, dtype=np.float64).reshape(-1).tolist()


def short(err):
    return (str(err).strip().split("\n")[0] or type(err).__name__)[:200]


def run_rows(adapter, inputs, profile, threads, out):
    """Every (workload, variant) the adapter offers; seed-single only at one thread (one point does not split)."""
    prof = PROFILES[profile]
    for variant in adapter.SEED_VARIANTS if threads == 1 else []:
        out(seed_single(adapter, variant, inputs, prof["seedSingle"]))
    for variant in adapter.SEED_VARIANTS:
        out(seed_batch(adapter, variant, inputs, prof["seedBatch"]))
    for variant in adapter.PINN_VARIANTS:
        out(pinn_step(adapter, variant, inputs, prof["pinn"]))


def guarded(case, variant):
    def wrap(body):
        def run(*args):
            try:
                return {"case": case, "variant": variant, **body(*args)}
            except Exception as err:  # a framework's failure is a row, not a crash
                traceback.print_exc(file=sys.stderr)
                return {"case": case, "variant": variant, "status": "failed", "check": short(err)}
        return run
    return wrap


def seed_single(adapter, variant, inputs, prof):
    @guarded("seed-single", variant)
    def body():
        fn = adapter.seed(inputs["seedNet"], 1, variant)
        pts = inputs["singlePoints"]
        outs = [fn(pts[2 * p: 2 * p + 2]) for p in range(3)]
        result = {k: sum((flat(o[i]) for o in outs), []) for i, k in enumerate(["f", "grad", "hess"])}
        point = pts[0:2]
        timing = measure(lambda: fn(point), *prof)
        return {"status": "ok", "outputs": result, "timing": timing}
    return body()


def seed_batch(adapter, variant, inputs, prof):
    n = len(inputs["batchPoints"]) // 2

    @guarded(f"seed-batch {n}", variant)
    def body():
        fn = adapter.seed(inputs["seedNet"], n, variant)
        pts = inputs["batchPoints"]
        w0 = time.perf_counter()
        o = fn(pts)
        first = 1e3 * (time.perf_counter() - w0)
        result = {"f": flat(o[0]), "grad": flat(o[1]), "hess": flat(o[2])}
        timing = measure(lambda: fn(pts), *prof)
        return {"status": "ok", "outputs": result, "firstMs": first, "timing": timing}
    return body()


def pinn_step(adapter, variant, inputs, prof):
    d = inputs["data"]
    case = f"pinn-step {len(d['colloc']) // 2}+{len(d['boundU'])}"

    @guarded(case, variant)
    def body():
        w0 = time.perf_counter()
        trainer = adapter.pinn(inputs["burgersNet"], d, inputs["adam"], variant)
        loss, grads = trainer.step(True)
        first = 1e3 * (time.perf_counter() - w0)
        result = {"loss": float(loss), "grads": [flat(g) for g in grads], "after": [flat(p) for p in trainer.params()]}
        timing = measure(lambda: trainer.step(False), *prof)
        return {"status": "ok", "outputs": result, "firstMs": first, "timing": timing}
    return body()
