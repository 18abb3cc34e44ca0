#!/usr/bin/env bash
# Runs every measurement and writes the tables to run-output.md (or $1):
# the main module's target benchmarks, the peer comparison and the
# end-to-end load run. Takes about fifteen minutes on a two-core machine.
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
	echo "Load average (1, 5, 15 min) before: $(load); uptime: $(uptime)."
	echo
	targets='BenchmarkFloor$|BenchmarkVerifyCold|BenchmarkVerifyRepeated|BenchmarkVerifyParallel|BenchmarkMiddleware'
	echo '## Targets: `go test -run '"'"'^$'"'"' -bench '"'$targets'"' -benchmem -cpu 1,2` in the main module'
	echo
	echo '```'
	(cd .. && go test -run '^$' -bench "$targets" -benchmem -cpu 1,2 -count 1 .)
	echo '```'
	echo
	echo '## Revocation list: `go test -run '"'"'^$'"'"' -bench . -benchmem -cpu 1,2 ./revocation`'
	echo
	echo '```'
	(cd .. && go test -run '^$' -bench 'BenchmarkRevocationReason' -benchmem -cpu 1,2 -count 1 ./revocation &&
		go test -run '^$' -bench 'BenchmarkListMemory' -benchtime 1000000x -count 1 ./revocation)
	echo '```'
	echo
	echo '## Revocation replica: `go test -run '"'"'^$'"'"' -bench ReplicaReason -benchmem -cpu 1,2` in redisstore'
	echo
	echo '```'
	(cd ../redisstore && go test -run '^$' -bench 'BenchmarkReplicaReason' -benchmem -cpu 1,2 -count 1 .)
	echo '```'
	echo
	echo '## Web sessions: `go test -run '"'"'^$'"'"' -bench SessionRequest -benchmem -cpu 1,2 ./web`'
	echo
	echo '```'
	(cd .. && go test -run '^$' -bench 'BenchmarkSessionRequest' -benchmem -cpu 1,2 -count 1 ./web)
	echo '```'
	echo
	echo '## Rejection cost: `go test -run '"'"'^$'"'"' -bench RejectCost -benchtime 200ms -cpu 1` in the main module'
	echo
	echo '```'
	(cd .. && go test -run '^$' -bench 'BenchmarkRejectCost' -benchtime 200ms -cpu 1 -count 1 .)
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
	echo "Load average (1, 5, 15 min) after: $(load); uptime: $(uptime)."
} >"$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "wrote $out"
