# kroute: one command per job. Each target installs what it needs first, so a fresh machine
# with Rust, Python 3.11 and Node 20 is enough.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
WASM_BINDGEN_VERSION := 0.2.130
VENV := .venv
PY := $(VENV)/bin/python
CARGO_BIN := $(HOME)/.cargo/bin
export PATH := $(CARGO_BIN):$(PATH)

.PHONY: test demo wasm web-test python tools rust-checks nostd wasm-test python-test bench bench-quick stress fuzz-quick clean

## make test: every check of every target (native, wasm/npm, Python).
test: tools rust-checks nostd wasm-test python-test web-test
	@echo "make test: all checks passed"

## Tools: the wasm32 target and wasm-bindgen-cli at the pinned version (skipped when present).
tools:
	rustup target add wasm32-unknown-unknown >/dev/null
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
		echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 6 minutes on 2 cores)"; \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi

rust-checks:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test

## The core builds without std for wasm32 (no_std + alloc), with and without YAML loading.
nostd:
	cargo build -p kroute --no-default-features --target wasm32-unknown-unknown
	cargo build -p kroute --no-default-features --features yaml --target wasm32-unknown-unknown

## The npm package in wasm/pkg (browser/bundler build + Node entry).
wasm: tools
	./wasm/build.sh

## The package's tests in Node, and the shared vectors in headless Chromium (Debian's, installed
## with apt-get when missing).
wasm-test: wasm
	./wasm/test.sh

## The playground's end-to-end tests in headless Chromium (installed with apt-get when missing).
web-test: wasm
	./web-demo/test.sh

## The Python module in a local venv.
$(VENV)/.ready: python/pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "maturin>=1.9,<2" pytest mypy
	touch $@

python: $(VENV)/.ready
	$(PY) -m pip install --quiet ./python

python-test: python
	$(PY) -m pytest -q python/tests
	$(PY) -m mypy.stubtest kroute --allowlist python/stubtest-allowlist.txt

## The playground at http://127.0.0.1:8080.
demo: wasm
	./web-demo/serve.sh

## Benchmarks (spec/performance.md): ratios against baselines in the same run.
## W8 runs the Python module from .venv, so the module is built first; W7 the npm package
## (its API rows) and the wasm32 target (its kernel rows, built by the bench itself).
bench: python wasm
	cargo run --release -p kroute-benches -- --write benches/RESULTS.md

bench-quick: python wasm
	cargo run --release -p kroute-benches -- --quick

## Release-mode checks too slow for debug builds: the 50 MB load (time and peak RSS printed),
## the readers-vs-writer stress test and a million ClientIP clients.
stress:
	cargo test --release -p kroute --test large_input --test concurrency -- --nocapture

## Fuzzing (cargo-fuzz on the nightly toolchain): every target briefly, or FUZZ_SECONDS each.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := load selector watch route http
fuzz-quick:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
	cd core/fuzz && for t in $(FUZZ_TARGETS); do \
		mkdir -p target/corpus/$$t && \
		cargo +nightly fuzz run $$t target/corpus/$$t corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 || exit 1; \
	done

clean:
	cargo clean
	rm -rf $(VENV) wasm/pkg wasm/node_modules web-demo/node_modules web-demo/dist web-demo/screenshots
