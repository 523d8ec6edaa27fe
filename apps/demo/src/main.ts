// Entry point: loads the gradtape core, then wires the two views (hash routes #explorer and #trainer).
import "./style.css";
import { ready, backendInfo } from "gradtape";
import { initExplorer } from "./explorer.js";
import { initTrainer } from "./trainer.js";

type View = "explorer" | "trainer";
const VIEWS: View[] = ["explorer", "trainer"];

function currentView(): View {
  const h = location.hash.replace(/^#/, "");
  return (VIEWS as string[]).includes(h) ? (h as View) : "explorer";
}

async function main(): Promise<void> {
  const boot = document.getElementById("boot")!;
  const env = document.getElementById("env")!;
  try {
    const t0 = performance.now();
    await ready();
    const ms = performance.now() - t0;
    const { simd } = backendInfo();
    document.body.dataset.simd = simd; // read by the e2e test: Chromium has relaxed SIMD, so it must get that build
    env.textContent = `core (${simd === "relaxed" ? "relaxed SIMD" : "SIMD"}) loaded in ${ms.toFixed(0)} ms · cross-origin isolated: ${globalThis.crossOriginIsolated ? "yes" : "no"} · ${navigator.hardwareConcurrency ?? "?"} logical cores`;
  } catch (e) {
    boot.classList.add("error");
    boot.textContent = `Could not load the gradtape WebAssembly core: ${(e as Error).message}\nThis page needs a browser with WebAssembly SIMD (Chrome 91+, Firefox 89+, Safari 16.4+).`;
    throw e;
  }
  boot.hidden = true;

  const views = { explorer: initExplorer(), trainer: initTrainer() };
  const show = () => {
    const v = currentView();
    for (const name of VIEWS) {
      document.getElementById(`view-${name}`)!.hidden = name !== v;
      document.getElementById(`tab-${name}`)!.setAttribute("aria-selected", String(name === v));
    }
    views[v].shown();
  };
  window.addEventListener("hashchange", show);
  show();
  document.body.dataset.ready = "true";
}

void main();
