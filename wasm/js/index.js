// Browser and bundler entry of the npm package `kroute`. Call `await init()` once before using
// the API: it fetches `kroute_bg.wasm` next to this file (or pass `{ module_or_path }`).
export * from "./kroute.js";
export { default, default as init } from "./kroute.js";
export { KrouteError } from "@KROUTE_ERROR_MODULE@";
