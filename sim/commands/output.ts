// Output files: refused before a long run when they cannot be written, and a write that still fails
// is bad input (exit 2), not an internal error.
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "./args.js";

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A file the command will write: its folder exists and is writable, and it is not a folder itself. */
export function checkOutputFile(path: string, option: string): void {
  const abs = resolve(path);
  if (existsSync(abs)) {
    if (statSync(abs).isDirectory()) throw new InputError(`--${option} ${path}: is a directory`);
    if (!writable(abs)) throw new InputError(`--${option} ${path}: not writable`);
    return;
  }
  const dir = dirname(abs);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`--${option} ${path}: no such directory ${dirname(path)}`);
  if (!writable(dir)) throw new InputError(`--${option} ${path}: cannot write in ${dirname(path)}`);
}

/** A folder the command will create (with its parents) and write into. */
export function checkOutputDir(path: string, option: string): void {
  let at = resolve(path);
  while (!existsSync(at)) {
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (!statSync(at).isDirectory()) throw new InputError(`--${option} ${path}: ${at} is a file, not a directory`);
  if (!writable(at)) throw new InputError(`--${option} ${path}: cannot write in ${at}`);
}

export function writeOutput(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new InputError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

export function makeOutputDir(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new InputError(`cannot create ${path}: ${(e as Error).message}`);
  }
}
