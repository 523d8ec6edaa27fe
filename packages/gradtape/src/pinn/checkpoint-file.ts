// Checkpoint files (Node only, reached through process.getBuiltinModule so that browser bundles of gradtape never
// import node: modules). A checkpoint is replaced atomically: the new bytes go to a temporary file in the same
// directory, which is fsynced and then renamed over DIR/checkpoint.safetensors (rename is atomic on POSIX file
// systems), and the directory is fsynced so the rename itself survives a crash. A process killed at any moment
// leaves either the previous checkpoint or the new one, never a mix; a failed write removes its temporary file and
// leaves the previous checkpoint as it was.
import { GradtapeError } from "../errors.js";
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, type TrainCheckpoint } from "./checkpoint.js";

export const CHECKPOINT_FILE = "checkpoint.safetensors";

type Fs = typeof import("node:fs");
type Path = typeof import("node:path");
// (never the free identifier `process`: bundlers such as Parcel would try to polyfill it for the browser)
function node(): { fs: Fs; path: Path; pid: number } {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; pid?: number } }).process;
  const get = proc?.getBuiltinModule;
  if (typeof get !== "function") throw new GradtapeError(`pinn checkpoint files need Node (>= 20.16); elsewhere use checkpoint.onSave with pinn.encodeCheckpoint, and resume from pinn.decodeCheckpoint(bytes).`);
  return { fs: get.call(proc, "node:fs") as Fs, path: get.call(proc, "node:path") as Path, pid: proc?.pid ?? 0 };
}

/** DIR/checkpoint.safetensors, or the path itself when it names a file. */
export function checkpointPath(dirOrFile: string): string {
  const { fs, path } = node();
  try { if (fs.statSync(dirOrFile).isFile()) return dirOrFile; } catch { /* not there yet: a directory to make */ }
  return path.join(dirOrFile, CHECKPOINT_FILE);
}

/** Writes bytes to `file` atomically (temporary file, fsync, rename, fsync of the directory). */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const { fs, path, pid } = node();
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${pid}.${Date.now()}.tmp`);
  let fd = -1;
  try {
    fd = fs.openSync(tmp, "wx");
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd); fd = -1;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd >= 0) try { fs.closeSync(fd); } catch { /* already failing */ }
    try { fs.unlinkSync(tmp); } catch { /* never made */ }
    throw e;
  }
  try { const d = fs.openSync(dir, "r"); try { fs.fsyncSync(d); } finally { fs.closeSync(d); } } catch { /* some systems cannot fsync a directory */ }
}

/** Saves a checkpoint into a directory (or over a file path); returns the file written. */
export function saveCheckpoint(dirOrFile: string, cp: TrainCheckpoint): string {
  const file = checkpointPath(dirOrFile);
  try { writeFileAtomic(file, encodeCheckpoint(cp)); } catch (e) {
    if (e instanceof GradtapeError) throw e;
    throw new CheckpointError(`cannot write the checkpoint ${file}: ${(e as Error).message}; the previous checkpoint (if any) is unchanged.`);
  }
  return file;
}

/** Reads the checkpoint in a directory (or a file path). */
export function loadCheckpoint(dirOrFile: string): TrainCheckpoint {
  const { fs } = node();
  const file = checkpointPath(dirOrFile);
  let bytes: Uint8Array;
  try { bytes = fs.readFileSync(file); } catch (e) {
    throw new CheckpointError(`cannot read the checkpoint ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}.`);
  }
  const cp = decodeCheckpoint(bytes, file);
  cp.source = file;
  return cp;
}
