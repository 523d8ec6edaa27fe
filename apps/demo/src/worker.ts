// The training worker: its own gradtape core, one training session at a time. It trains in slices of about
// SLICE_MS, reporting the losses after each slice, and yields to its event loop between slices so that a
// "pause" (or "reset") message is handled within one slice.
import { ready, memory } from "gradtape";
import { createSession, type Session } from "./pinn-adapter.js";
import type { FromWorker, OptimizerName, ToWorker } from "./protocol.js";

const SLICE_MS = 60;          // training time between two looks at the message queue
const SNAPSHOT_MS = 600;      // how often the prediction on the evaluation grid is sent

type Msg = FromWorker extends infer M ? (M extends unknown ? Omit<M, "id"> : never) : never;
const ctx = self as unknown as { postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
let sessionId = 0;
const send = (m: Msg, transfer: Transferable[] = []) => ctx.postMessage({ ...m, id: sessionId } as FromWorker, transfer);

let session: Session | null = null;
let running = false;
let step = 0;
let generation = 0;           // bumped by reset/pause: a loop from an older generation stops
let lastSnapshot = 0;
const rateWindow: { t: number; step: number }[] = [];

const yieldToEvents = () => new Promise<void>((r) => setTimeout(r, 0));

function fail(e: unknown): void {
  running = false;
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  send({ type: "error", message: msg });
}

function snapshot(): void {
  if (!session) return;
  const ev = session.evaluate();
  send({ type: "snapshot", step, prediction: ev.prediction, error: ev.error, relL2: ev.relL2 },
    [ev.prediction.values.buffer as ArrayBuffer, ev.error.values.buffer as ArrayBuffer]);
  lastSnapshot = performance.now();
}

async function loop(gen: number): Promise<void> {
  rateWindow.length = 0;
  rateWindow.push({ t: performance.now(), step });
  while (running && gen === generation && session) {
    const t0 = performance.now();
    const steps: number[] = [], losses: number[] = [];
    let optimizer: OptimizerName = "Adam";
    let converged: string | undefined;
    try {
      do {
        const r = session.step();
        optimizer = r.optimizer;
        for (const loss of r.losses) {
          step++;
          steps.push(step); losses.push(loss);
          if (!Number.isFinite(loss)) throw new Error(`the loss became ${loss} at step ${step}; lower the learning rate and reset`);
        }
        converged = r.converged;
      } while (!converged && performance.now() - t0 < SLICE_MS);
    } catch (e) { fail(e); return; }
    const now = performance.now();
    rateWindow.push({ t: now, step });
    while (rateWindow.length > 2 && now - rateWindow[0].t > 3000) rateWindow.shift();
    const first = rateWindow[0];
    const rate = now > first.t ? ((step - first.step) * 1000) / (now - first.t) : 0;
    const mem = memory();
    send({ type: "progress", step, steps: Float64Array.from(steps), losses: Float64Array.from(losses), stepsPerSecond: rate, optimizer, memory: { tensors: mem.tensors, bytes: mem.bytes }, coefficients: session.coefficients()?.values ?? null });
    if (converged) {
      running = false;
      generation++;
      send({ type: "converged", step, reason: converged });
      try { snapshot(); } catch (e) { fail(e); }
      return;
    }
    if (now - lastSnapshot > SNAPSHOT_MS) { try { snapshot(); } catch (e) { fail(e); return; } }
    await yieldToEvents();
  }
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case "reset": {
      sessionId = m.id;
      generation++;
      running = false;
      session?.dispose();
      session = null;
      step = 0;
      try {
        await ready();
        if (m.id !== sessionId) return;     // a newer reset arrived while the core was loading
        session = createSession(m.config);
        const ev = session.evaluate();
        const ref = session.reference();
        send({ type: "ready", config: m.config, params: session.params, reference: ref, prediction: ev.prediction, error: ev.error, relL2: ev.relL2, loss: session.loss(), backend: session.backend, coefficients: session.coefficients() });
        lastSnapshot = performance.now();
      } catch (e) { fail(e); }
      break;
    }
    case "run": {
      if (!session || running) return;
      running = true;
      void loop(++generation);
      break;
    }
    case "pause": {
      running = false;
      generation++;
      send({ type: "paused", step });
      try { snapshot(); } catch (e) { fail(e); }
      break;
    }
    case "export": {
      if (!session) return;
      try {
        const json = session.exportJSON();
        const st = session.exportSafetensors();
        const buf = st.buffer.slice(st.byteOffset, st.byteOffset + st.byteLength) as ArrayBuffer;
        send({ type: "exported", json, safetensors: buf, name: `gradtape-${session.config.problem}-step${step}` }, [buf]);
      } catch (e) { fail(e); }
      break;
    }
  }
}

ctx.onmessage = (e) => { void handle(e.data); };
