import { defineConfig } from "vite";

// The playground is a static site: `vite build` writes dist/, which any static server serves
// (serve.sh uses python3's). `base: "./"` keeps every URL relative, so dist/ also works from a
// sub-path or a file server. The npm package `kroute` is a local link (../wasm/pkg): Vite must
// not pre-bundle it (its glue fetches kroute_bg.wasm next to itself) and may read it in dev.
export default defineConfig({
  base: "./",
  build: { target: "es2022", chunkSizeWarningLimit: 2048 },
  optimizeDeps: { exclude: ["kroute"] },
  server: { host: "127.0.0.1", fs: { allow: [".", "../wasm/pkg"] } },
});
