# Master IA — the two commands of the README, and the steps they are made of.
#   make run    set up, build (release) and serve http://127.0.0.1:3000
#   make test   set up and run every test: Rust on SQLite and PostgreSQL, then Playwright
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export CARGO_TERM_COLOR ?= never

PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run build test setup setup-test site server-release test-rust test-sqlite test-postgres test-e2e screenshots bench fmt lint clean

run: build
	./target/release/master-ia

build: setup site server-release

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

site:
	scripts/build-site.sh

server-release:
	cargo build --release -p server --bin master-ia

test: setup-test site test-rust test-e2e
	@echo "All test suites passed."

# Every native build uses the same package selection, so cargo unifies features the same way
# and the test binaries and the server binary share one build of the dependencies.
NATIVE := --workspace --exclude frontend

# Build the test binaries once; the SQLite and PostgreSQL runs reuse them.
test-rust: test-sqlite test-postgres

test-sqlite:
	cargo nextest run $(NATIVE) --no-fail-fast

# The same storage tests against PostgreSQL (a fresh database per test, dropped afterwards).
test-postgres:
	@scripts/pg-drop-test-dbs.sh "$(PG_ADMIN_URL)"
	MASTER_IA_TEST_DB=postgres MASTER_IA_TEST_PG_URL="$(PG_ADMIN_URL)" \
	  cargo nextest run $(NATIVE) --no-fail-fast -E 'kind(test)'
	@scripts/pg-drop-test-dbs.sh "$(PG_ADMIN_URL)"

# The server and the fake Graph API (fake-graph) the browser tests point it at. `--tests` keeps
# the dev-dependencies' features (tokio test-util, reqwest cookies) in the build, so after the
# Rust tests this builds nothing: without it cargo would build every dependency a second time.
test-e2e:
	cargo build $(NATIVE) --bins --tests
	scripts/e2e.sh target/debug/master-ia

# Refreshes docs/screenshots/ from the end-to-end run.
screenshots: site
	cargo build $(NATIVE) --bins --tests
	SCREENSHOT_DIR=docs/screenshots scripts/e2e.sh target/debug/master-ia

# Speed figures reported in the README ("Benchmarks"): SQLite, then PostgreSQL.
bench: setup-test
	MASTER_IA_BENCH_PG_URL="$(PG_ADMIN_URL)" cargo bench -p server --bench contacts --bench campaigns

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy $(NATIVE) --all-targets -- -D warnings

clean:
	cargo clean
	rm -rf node_modules end2end/node_modules
