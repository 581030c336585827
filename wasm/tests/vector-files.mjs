// The shared vector files (tests/vectors/*.json), read in Node for both runners: the Node build
// (vectors.test.mjs) and the browser build in Chromium (browser.test.mjs).
//
// KROUTE_VECTORS_DIR=/some/dir overrides the directory (used to test the runner itself).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The directory the vectors are read from. */
export const VECTORS_DIR = process.env.KROUTE_VECTORS_DIR
  ? path.resolve(process.env.KROUTE_VECTORS_DIR)
  : fileURLToPath(new URL("../../tests/vectors/", import.meta.url));

/** Every vector file as `{file, cases}`, in file-name order. */
export function vectorFiles() {
  return readdirSync(VECTORS_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ file, cases: JSON.parse(readFileSync(path.join(VECTORS_DIR, file), "utf8")) }));
}
