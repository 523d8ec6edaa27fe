// Every condition kind: the loss term it adds, checked against a hand computation in float64 at the points it drew
// (for a network given in closed form, so its derivatives are known exactly), and small problems with known
// solutions trained to <= 1e-3 with Neumann, Robin and point-data conditions. Then the errors for bad conditions.
import { describe, it, expect, beforeAll } from "vitest";
import { ready, pinn, tidy, memory, ArgumentError, type Tensor } from "gradtape";

beforeAll(async () => { await ready(); });
const G = pinn.geometry;

const col = (X: Tensor, j: number) => X.slice([0, j], [-1, 1]);
// u(x, y) = x² + 3y  (u_x = 2x, u_y = 3)
const quad2 = (X: Tensor) => col(X, 0).square().add(col(X, 1).mul(3));
// u(x, t) = x t + x²  (u_x = t + 2x, u_t = x)
const slabNet = (X: Tensor) => col(X, 0).mul(col(X, 1)).add(col(X, 0).square());
const zeroResidual = { uses: ["u"], residual: (d: Readonly<Record<string, Tensor>>) => d.u.mul(0) };

/** The loss of a problem whose PDE residual is 0: the condition sum over N_u; and the drawn points (float32 values). */
function conditionLoss(spec: Omit<pinn.ProblemSpec, "name" | "uses" | "residual">, net: (X: Tensor) => Tensor, nu = 40) {
  const problem = pinn.defineProblem({ name: "c", ...zeroResidual, ...spec });
  const data = pinn.trainingData(problem, { collocationPoints: 8, conditionPoints: nu, seed: 3 });
  try {
    const loss = tidy(() => pinn.pinnLoss(problem, net, data)().item());
    const rows = (t: Tensor) => { const v = t.data(), d = t.shape[1]; return Array.from({ length: t.shape[0] }, (_, i) => Array.from(v.subarray(i * d, (i + 1) * d))); };
    return {
      loss, count: data.conditionCount,
      groups: data.groups.map((g) => ({ quantity: g.quantity, points: rows(g.points), values: Array.from(g.values.data()) })),
      terms: data.terms.map((t) => ({ kind: t.condition.kind, points: rows(t.points), values: Array.from(t.values.data()) })),
    };
  } finally { data.dispose(); }
}
const sumOver = <T>(xs: T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
const close = (got: number, want: number) => expect(Math.abs(got - want) / Math.max(1e-12, Math.abs(want))).toBeLessThan(2e-5);

describe("each condition's loss term against a hand computation", () => {
  it("Dirichlet on a named piece (circle), values from a function", () => {
    const r = conditionLoss({ domain: G.disk([0, 0], 1), conditions: [{ on: "circle", value: ({ x }) => x }] }, quad2);
    const [g] = r.groups;
    expect(g.points.length).toBe(40);
    for (const [x, y] of g.points) expect(Math.hypot(x, y)).toBeCloseTo(1, 6);
    close(r.loss, sumOver(g.points, ([x, y]) => (x * x + 3 * y - x) ** 2) / 40);
  });

  it("Dirichlet on a predicate and on a face { x: 0 } of a geometry", () => {
    const r = conditionLoss({ domain: G.disk([0, 0], 1), conditions: [{ on: ({ y }) => y > 0.5, value: 1 }] }, quad2);
    for (const [, y] of r.groups[0].points) expect(y).toBeGreaterThan(0.5);
    close(r.loss, sumOver(r.groups[0].points, ([x, y]) => (x * x + 3 * y - 1) ** 2) / 40);
    const f = conditionLoss({ domain: G.rectangle([0, 0], [1, 2]), conditions: [{ on: { x: 0 }, value: 0 }] }, quad2);
    for (const [x] of f.groups[0].points) expect(x).toBe(0);
    close(f.loss, sumOver(f.groups[0].points, ([, y]) => (3 * y) ** 2) / 40);
  });

  it("Neumann: du/dn with the geometry's normals (circle: n = (x, y))", () => {
    const r = conditionLoss({ domain: G.disk([0, 0], 1), conditions: [{ kind: "neumann", on: "circle", value: 0.5 }] }, quad2);
    const [t] = r.terms;
    expect(t.kind).toBe("neumann");
    close(r.loss, sumOver(t.points, ([x, y]) => { const s = Math.hypot(x, y); return ((2 * x * x) / s + (3 * y) / s - 0.5) ** 2; }) / 40);
  });

  it("Neumann on a face of a plain box domain ({ x: 1 }: n = (1, 0))", () => {
    const r = conditionLoss({ domain: { x: [0, 1], y: [0, 2] }, conditions: [{ kind: "neumann", on: { x: 1 }, value: ({ y }) => y }] }, quad2);
    for (const [x] of r.terms[0].points) expect(x).toBe(1);
    close(r.loss, sumOver(r.terms[0].points, ([, y]) => (2 - y) ** 2) / 40);
  });

  it("Robin: a u + b du/dn = g on the top of a rectangle (n = (0, 1))", () => {
    const r = conditionLoss({ domain: G.rectangle([0, 0], [1, 2]), conditions: [{ kind: "robin", on: "top", a: 2, b: ({ x }) => 0.5 + x, value: ({ x }) => x }] }, quad2);
    const [t] = r.terms;
    for (const [, y] of t.points) expect(y).toBe(2);
    close(r.loss, sumOver(t.points, ([x, y]) => (2 * (x * x + 3 * y) + (0.5 + x) * 3 - x) ** 2) / 40);
  });

  it("periodic: values and the first derivative matched at x = 0 and x = 1", () => {
    const r = conditionLoss({ domain: G.times(G.interval(0, 1), [0, 1]), conditions: [{ kind: "periodic", variable: "x", derivatives: true }] }, slabNet);
    const [t] = r.terms;
    expect(r.count).toBe(80); // 40 points x (u, u_x)
    for (const [x] of t.points) expect(x).toBe(0);
    // u(0,t) - u(1,t) = -(t + 1); u_x(0,t) - u_x(1,t) = t - (t + 2) = -2
    close(r.loss, sumOver(t.points, ([, s]) => (s + 1) ** 2 + 4) / 80);
  });

  it("initial conditions on u and on u_t", () => {
    const r = conditionLoss({
      domain: G.times(G.interval(-1, 1), [0, 2]),
      conditions: [{ kind: "initial", value: ({ x }) => Math.sin(x) }, { kind: "initial", quantity: "u_t", value: ({ x }) => Math.cos(x) }],
    }, slabNet);
    expect(r.groups.map((g) => g.quantity)).toEqual(["u", "u_t"]);
    for (const g of r.groups) for (const [, t] of g.points) expect(t).toBe(0);
    const [gu, gt] = r.groups;
    close(r.loss, (sumOver(gu.points, ([x]) => (x * x - Math.sin(x)) ** 2) + sumOver(gt.points, ([x]) => (x - Math.cos(x)) ** 2)) / 40);
  });

  it("point data from CSV text and from arrays", () => {
    const csv = "x,y,u\n0.1,0.2,1\n0.5,-0.3,0\n# a comment\n-0.7,0.4,2\n";
    const r = conditionLoss({ domain: G.disk([0, 0], 1), conditions: [{ kind: "points", csv: { text: csv, source: "obs.csv" } }] }, quad2);
    expect(r.count).toBe(3);
    const want = [[0.1, 0.2, 1], [0.5, -0.3, 0], [-0.7, 0.4, 2]];
    close(r.loss, sumOver(want, ([x, y, v]) => (Math.fround(x) ** 2 + 3 * Math.fround(y) - v) ** 2) / 3);
    const a = conditionLoss({ domain: G.disk([0, 0], 1), conditions: [{ kind: "points", points: want.map((w) => w.slice(0, 2)), values: want.map((w) => w[2]) }] }, quad2);
    expect(a.loss).toBe(r.loss);
  });

  it("operator condition: any residual of derivatives, with the normals as n_x, n_y", () => {
    const r = conditionLoss({
      domain: G.rectangle([0, 0], [1, 2]),
      conditions: [{ kind: "operator", on: "left", uses: ["u_x", "u_y"], residual: ({ u_x, u_y, n_x, y }) => u_x.mul(n_x).add(u_y).sub(y) }],
    }, quad2);
    // on x = 0: u_x = 0, u_y = 3, so r = 3 - y
    close(r.loss, sumOver(r.terms[0].points, ([, y]) => (3 - y) ** 2) / 40);
  });

  it("conditions of several kinds share N_u in proportion to their lengths, for systems too", () => {
    const sys = pinn.defineProblem({
      name: "sys", domain: G.rectangle([0, 0], [2, 1]), outputs: ["u", "v"], uses: ["u", "v"], residual: ({ u, v }) => [u.mul(0), v.mul(0)],
      conditions: [{ on: "left", value: 1 }, { kind: "neumann", output: "v", on: "bottom", value: 0 }, { on: ["top", "right"], quantity: "v", value: 0 }],
    });
    expect(pinn.splitConditionPoints(sys.conditions, 60)).toEqual([10, 20, 30]);
    const data = pinn.trainingData(sys, { collocationPoints: 8, conditionPoints: 60 });
    try {
      expect(data.conditionCount).toBe(60);
      expect(data.groups.map((g) => g.quantity)).toEqual(["u", "v"]);
      expect(data.terms.map((t) => t.condition.quantity)).toEqual(["v"]);
    } finally { data.dispose(); }
  });
});

describe("problems with known solutions trained to <= 1e-3", () => {
  // -u'' = pi² sin(pi x) on [0, 1]; exact sin(pi x): u(0) = 0, u'(1) = -pi, u(1) + u'(1) = -pi
  const base = {
    domain: G.interval(0, 1), uses: ["u_xx"],
    residual: ({ u_xx, x }: Readonly<Record<string, Tensor>>) => u_xx.neg().sub(x.mul(Math.PI).sin().mul(Math.PI * Math.PI)),
    exact: ({ x }: pinn.Point) => Math.sin(Math.PI * x),
  };
  const setup = { network: { hidden: [20, 20, 20] }, collocationPoints: 200, adamSteps: 1000, lbfgsSteps: 2000 };
  const cases: [string, pinn.ConditionSpec[]][] = [
    ["Dirichlet + Neumann", [{ on: "left", value: 0 }, { kind: "neumann", on: "right", value: -Math.PI }]],
    ["Dirichlet + Robin", [{ on: "left", value: 0 }, { kind: "robin", on: "right", a: 1, b: 1, value: -Math.PI }]],
    ["point data only", [{ kind: "points", points: [[0.25], [0.75]], values: [Math.SQRT1_2, Math.SQRT1_2] }]],
  ];
  for (const [name, conditions] of cases) {
    it(name, { timeout: 120_000 }, () => {
      const problem = pinn.defineProblem({ name, ...base, conditions });
      const before = memory().tensors;
      const res = pinn.train(problem, setup);
      try {
        expect(pinn.evaluate(res.network, problem).relL2).toBeLessThanOrEqual(1e-3);
      } finally { res.network.dispose(); }
      expect(memory().tensors).toBe(before);
    });
  }
});

describe("bad conditions", () => {
  const spec = (conditions: unknown[], domain: unknown = G.disk([0, 0], 1)) => () =>
    pinn.defineProblem({ name: "bad", ...zeroResidual, domain, conditions } as unknown as pinn.ProblemSpec);
  const err = (f: () => unknown, re: RegExp) => { expect(f).toThrow(ArgumentError); expect(f).toThrow(re); };
  it("name the piece, the column, the line and what is missing", () => {
    err(spec([{ on: "left", value: 0 }]), /conditions\[0\]: disk.* has no boundary piece named 'left'; its pieces are 'circle'/);
    err(spec([{ kind: "neumann", on: ["circle", "rim"] }]), /no boundary piece named 'rim'/);
    err(spec([{ kind: "flux", on: "circle" }]), /kind must be one of dirichlet, initial, points, neumann, robin, periodic, operator/);
    err(spec([{ kind: "robin", on: "circle", a: 1 }]), /needs both 'a' and 'b'/);
    err(spec([{ on: "circle" }]), /value must be a finite number or a function/);
    err(spec([{ kind: "initial", value: 0 }]), /needs a time variable 't'/);
    err(spec([{ kind: "operator", on: "circle", uses: ["u_z"], residual: () => null }]), /'z' does not start with an input variable/);
    err(spec([{ kind: "periodic", variable: "x" }]), /periodic in 'x' needs a flat part of the boundary at x = -1 matching one at x = 1, but disk.* has none/);
    err(spec([{ kind: "periodic", variable: "x" }], G.difference(G.rectangle([-1, -1], [1, 1]), G.rectangle([0.5, -2], [2, 0]))), /periodic in 'x' needs the boundary at x = -1 to match the one at x = 1, but \(1, -0\.\d+\) is not on the boundary/);
    err(spec([{ kind: "points", csv: { text: "x,y,u\n0.1,0.2,NaN\n", source: "obs.csv" } }]), /obs\.csv, line 2, column 'u': 'NaN' is not a finite number/);
    err(spec([{ kind: "points", csv: { text: "x,y,u\n0.1,0.2\n", source: "obs.csv" } }]), /obs\.csv, line 2: 2 columns, but the header has 3/);
    err(spec([{ kind: "points", csv: { text: "x,u\n0.1,2\n", source: "obs.csv" } }]), /obs\.csv: the header \(x, u\) has no column 'y'/);
    err(spec([{ kind: "points", points: [[0, 0], [1]], values: [1, 2] }]), /points\[1\] has 1 coordinates; expected 2/);
    err(spec([{ kind: "points", points: [[0, 0]], values: [1, 2] }]), /1 points but 2 values/);
    err(spec([{ on: "circle", value: 0, output: "w" }]), /output 'w' is not one of the outputs/);
  });
});
