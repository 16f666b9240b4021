# Every routine command of wafleet. `just --list` shows them.
set shell := ["bash", "-euo", "pipefail", "-c"]
set positional-arguments

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := "1"
export CARGO_TERM_COLOR := "never"

default:
    @just --list

# Build the SPA, then serve it and the API on http://localhost:8080 (SQLite in ./data, live WhatsApp)
run: web-build
    WAFLEET_WEB_DIR=web/dist cargo run --bin wafleet -- serve

# Like `run`, with the simulated WhatsApp network: QR codes scan themselves, chats arrive (no phone needed)
demo: web-build
    WAFLEET_WEB_DIR=web/dist WAFLEET_WHATSAPP=sim WAFLEET_SIM_AUTO_SCAN_MS=5000 WAFLEET_SIM_HISTORY_CHATS=12 \
    WAFLEET_SIM_CHATTER_SECONDS=60 WAFLEET_SIM_SEND_LATENCY_MS=300 WAFLEET_SIM_RECEIPTS_MS=2000 \
    DATABASE_URL="${DATABASE_URL:-sqlite://./data/demo.db?mode=rwc}" cargo run --bin wafleet -- serve

# The whole suite: formatting, lints, Rust tests (PostgreSQL + Redis, SQLite smoke), web checks, SPA build, e2e
test: lint test-rust web-check web-build e2e

# cargo fmt check and clippy with warnings as errors
lint:
    cargo fmt --all -- --check
    cargo clippy --all-targets -- -D warnings

# Rust unit and integration tests (needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379)
test-rust *args:
    cargo test --workspace "$@"

# Install the SPA's packages when package-lock.json changed
web-deps:
    cd web && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; }

# Type-check, lint and unit-test the SPA
web-check: web-deps
    cd web && npm run typecheck && npm run lint && npm run format:check && npm test

# Build the SPA into web/dist
web-build: web-deps
    cd web && npm run build

# What each screen downloads on its first load, in kB gzip (builds the SPA first)
web-size: web-build
    cd web && npm run size

# Browser tests: the real server (simulated WhatsApp) + the built SPA in Debian's chromium
e2e:
    @# target/debug/wafleet as the tests build it (after `just test-rust`, nothing to do; a plain
    @# `cargo build --bin wafleet` would build several dependencies again with other features)
    cargo test --workspace --no-run
    cd e2e && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npx tsc --noEmit && npx playwright test

# Regenerate schema.graphql from the server's types
schema:
    cargo run -q --bin wafleet -- print-schema > schema.graphql

# Benchmarks: `just bench devices` (3000 devices connecting), `just bench dispatch` (send path), `just bench inbox`,
# `just bench campaign`, `just bench sequences`, `just bench import`, `just bench ai`
bench name:
    cargo bench --bench {{name}}
