// Builds core.wasm in one process (the asc JS API is ~3x faster than one CLI call per target).
import asc from "assemblyscript/asc";
import { mkdirSync } from "node:fs";
import { patchRuntime } from "./small-block-cache.mjs";
mkdirSync("build", { recursive: true });
patchRuntime(asc);
const { error, stderr } = await asc.main(["assembly/index.ts", "--config", "asconfig.json", "--target", "release"]);
if (error) { console.error(stderr.toString()); process.exit(1); }
