#!/usr/bin/env bash
# Runs every measurement and writes the tables to run-output.md (or $1):
# the main module's target benchmarks, the peer comparison and the
# end-to-end load run. Takes about five minutes on an idle two-core machine.
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-run-output.md}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }

{
	echo "# Benchmark results"
	echo
	echo "Machine: $(go version), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs; $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo "Load average (1, 5, 15 min) before: $(load)."
	echo
	echo '## Targets: `go test -run '"'"'^$'"'"' -bench . -benchmem -cpu 1,2` in the main module'
	echo
	echo '```'
	(cd .. && go test -run '^$' -bench . -benchmem -cpu 1,2 -count 1 .)
	echo '```'
	echo
	echo '## Peers: `cd bench && go run ./cmd/compare`'
	echo
	go run ./cmd/compare
	echo
	echo '## End to end: `cd bench && go run ./cmd/load`'
	echo
	go run ./cmd/load
	echo
	echo "Load average (1, 5, 15 min) after: $(load)."
} >"$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "wrote $out"
