// W7: the W1–W6 kernels (benches/wasm-kernels) in wasm under Node, for the native harness
// (benches/src/w7.rs), which interleaves their runs with the same kernels run natively. The
// module has no imports and two exports: `kernel_setup(id)` builds a kernel's data inside wasm
// and returns its operations per run, `kernel_run()` runs its loop once and returns a checksum.
//
//   node w7-kernels.mjs KERNELS.wasm
//
// Commands on stdin, one answer line each on stdout:
//   setup ID   → "OPS CHECKSUM" (the checksum of a first, warm-up run)
//   run        → nanoseconds per operation of one run
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const { instance } = await WebAssembly.instantiate(readFileSync(process.argv[2]), {});
const { kernel_setup: setup, kernel_run: run } = instance.exports;

let ops = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const [command, arg] = line.split(" ");
  if (command === "setup") {
    ops = setup(Number(arg));
    console.log(`${ops} ${ops === 0 ? 0 : run() >>> 0}`);
  } else if (command === "run" && ops > 0) {
    const t = process.hrtime.bigint();
    run();
    console.log(Number(process.hrtime.bigint() - t) / ops);
  } else {
    throw new Error(`unknown command ${JSON.stringify(line)}, or no kernel set up`);
  }
}
