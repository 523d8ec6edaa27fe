"""One native peer at one thread count: python worker.py FRAMEWORK THREADS INPUTS.json OUT.json PROFILE.

FRAMEWORK is tf | jax | torch. Writes { label, version, threads, rows: [...] } to OUT.json (see common.py)."""
import json
import sys

from common import limit_threads, load_inputs, run_rows

framework, threads, inputs_path, out_path, profile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
limit_threads(threads)  # before the import: thread pools read it at start-up

if framework == "tf":
    import peer_tf as adapter
elif framework == "jax":
    import peer_jax as adapter
elif framework == "torch":
    import peer_torch as adapter
else:
    raise SystemExit(f"unknown framework {framework}: expected tf, jax or torch")

lib = adapter.setup(threads)
rows = []
run_rows(adapter, load_inputs(inputs_path), profile, threads, rows.append)
with open(out_path, "w") as f:
    json.dump({**lib, "threads": threads, "rows": rows}, f)
