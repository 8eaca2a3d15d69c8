#!/usr/bin/env bash
# test.sh — what `make test` runs: build the app (a broken main fails
# here), open it for real under a private Xvfb as a smoke test, then run
# every Go test with the race detector. It stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== go vet"
$GO vet ./...
echo "== build"
$GO build -o bin/congvu .

# A private X server for the smoke test (and later for UI screenshots).
disp=""
for n in $(seq 90 120); do
	if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then disp=":$n"; break; fi
done
Xvfb "$disp" -screen 0 1366x768x24 -nolisten tcp >/tmp/congvu-xvfb.log 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${disp#:}" ] && break; sleep 0.1; done

echo "== smoke: the window opens on a demo agency ($disp)"
smoke=$(mktemp -d)
DISPLAY=$disp ./bin/congvu demo --data "$smoke/data" --quit-after 4s
echo "== smoke: the measuring flags (first frame, search box)"
DISPLAY=$disp timeout 60 ./bin/congvu demo --data "$smoke/data" --first-frame 2>&1 | grep 'first frame'
DISPLAY=$disp timeout 60 ./bin/congvu demo --data "$smoke/data" --type-search "dat dai" 2>&1 | grep -E 'search "dat dai" [1-9][0-9]* results'
echo "== smoke: the first start on an empty folder shows the setup"
DISPLAY=$disp HOME="$smoke/home" ./bin/congvu --data "$smoke/empty" --quit-after 2s
rm -rf "$smoke"

echo "== numbering: 8 goroutines × 5,000 registrations (full size, without -race)"
$GO test -count=1 -run 'TestNumberingConcurrentNoDuplicateNoGap' ./docs-store/

echo "== go test -race ./..."
$GO test -race -timeout 25m ./... 2>&1 | tee /tmp/congvu-test.log
