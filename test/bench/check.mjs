// Compares a library's float32 results with the float64 reference. Each function returns
// { ok, check } where `check` is a short human-readable summary for the table.
//
// Tolerances sit far above float32 rounding (correct libraries measure 1e-7..1e-4 here) and far
// below the errors of real bugs (0.1 and up), so a verdict does not flip with noise.

/** Max |a - b| over max |b|: one number per quantity, insensitive to tiny individual entries. */
export function normErr(a, b) {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den ? num / den : num;
}

const e = (x) => x.toExponential(1);

/** Seed network: f, grad, hess (all points) against reference.seedDerivatives. */
export const SEED_TOL = 1e-3;
export function checkSeed(out, ref) {
  const errs = {};
  for (const k of ["f", "grad", "hess"]) {
    if (!out[k] || out[k].length !== ref[k].length) return { ok: false, check: `${k}: expected ${ref[k].length} values, got ${out[k]?.length}` };
    errs[k] = normErr(out[k], ref[k]);
  }
  const bad = Object.entries(errs).filter(([, v]) => !(v <= SEED_TOL));
  const worst = Object.entries(errs).sort((a, b) => b[1] - a[1])[0];
  return bad.length
    ? { ok: false, check: bad.map(([k, v]) => `${k} rel err ${e(v)}`).join(", ") }
    : { ok: true, check: `max rel err ${e(worst[1])}` };
}

/**
 * PINN first step: the loss and the weight gradient at the initial weights (the gradient is
 * probed along reference directions: random ones that touch every weight, and single entries),
 * then the update itself: Adam's first step moves each weight by lr * g / (|g| + eps).
 */
export const LOSS_TOL = 1e-3, GRAD_TOL = 1e-2;
export function checkPinn({ loss, grads }, ref, directions, before, after, adam) {
  const problems = [];
  const lossErr = Math.abs(loss - ref.loss) / Math.abs(ref.loss);
  if (!(lossErr <= LOSS_TOL)) problems.push(`loss rel err ${e(lossErr)}`);
  const proj = directions.map((d) => d.reduce((s, a, k) => { for (let i = 0; i < a.length; i++) s += a[i] * grads[k][i]; return s; }, 0));
  // Scale each probe by the largest reference probe so a near-zero entry is not judged relatively.
  const scale = Math.max(...ref.dirDerivs.map(Math.abs));
  const gradErrs = proj.map((p, k) => Math.abs(p - ref.dirDerivs[k]) / Math.max(Math.abs(ref.dirDerivs[k]), 0.01 * scale));
  const gradErr = Math.max(...gradErrs);
  if (!(gradErr <= GRAD_TOL)) problems.push(`weight-gradient rel err ${e(gradErr)} (${gradErrs.filter((x) => x > GRAD_TOL).length}/${gradErrs.length} probes off)`);
  let stepErr = 0;
  before.forEach((w, k) => {
    for (let i = 0; i < w.length; i++) {
      const g = grads[k][i], expected = w[i] - (adam.lr * g) / (Math.abs(g) + adam.eps);
      stepErr = Math.max(stepErr, Math.abs(after[k][i] - expected) / adam.lr);
    }
  });
  if (!(stepErr <= 1e-2)) problems.push(`Adam update off by ${e(stepErr)} x lr`);
  return problems.length
    ? { ok: false, check: problems.join(", ") }
    : { ok: true, check: `loss ${e(lossErr)}, grad ${e(gradErr)}` };
}

/** Matmul: sampled entries against float64 sums, relative to sum |a_ik b_kj|. */
export function checkMatmul(C, samples, n) {
  let err = 0;
  for (const { i, j, c, mag } of samples) err = Math.max(err, Math.abs(C[i * n + j] - c) / (mag || 1));
  return err <= 1e-4 ? { ok: true, check: `rel err ${e(err)}` } : { ok: false, check: `C rel err ${e(err)}` };
}
