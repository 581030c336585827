// Node entry of the npm package `kroute`: loads the WebAssembly module synchronously at import
// time, so the API is ready as soon as the import resolves (no `await init()` needed; calling it
// anyway is a no-op).
import { readFileSync } from "node:fs";
import { initSync } from "./kroute.js";

initSync({ module: readFileSync(new URL("./kroute_bg.wasm", import.meta.url)) });

export * from "./kroute.js";
export { default, default as init } from "./kroute.js";
export { KrouteError } from "@KROUTE_ERROR_MODULE@";
