#!/usr/bin/env bash
# Runs every measurement and writes the tables to run-output.md (or $1):
# the main module's target benchmarks, the revocation list's, the web
# sessions', the rejection costs, a CPU profile of the cache hit, the peer
# comparison (verifiers, middleware, pages, GOMAXPROCS 1 and 2) and the
# end-to-end load run. About ten to fifteen minutes on a two-core machine.
#
# QUICK=1 ./run.sh checks that every step runs, in a minute or two: each
# benchmark briefly and once, so its figures mean nothing.
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-run-output.md}
tmp=$(mktemp)
work=$(mktemp -d)
trap 'rm -rf "$tmp" "$work"' EXIT

if [[ "${QUICK:-}" == 1 ]]; then
	benchtime=100x
	longtime=200x
	rejecttime=5x
	compare=(-rounds 1 -benchtime 20ms)
	loadflags=(-duration 500ms -warmup 100ms -rounds 1 -tokens 100)
else
	benchtime=1s
	longtime=2s
	rejecttime=200ms
	compare=(-rounds 5 -benchtime 500ms)
	loadflags=()
fi

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }
machine() {
	echo "$(go version), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs; $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
}
step() { echo "$(date -u '+%H:%M:%S') $*" >&2; }

{
	echo "# Benchmark results"
	echo
	echo "Machine: $(machine)."
	echo "Load average (1, 5, 15 min) before: $(load); uptime: $(uptime)."
	[[ "${QUICK:-}" == 1 ]] && echo && echo "**QUICK=1: a check that every step runs; the figures mean nothing.**"
	echo
	targets='BenchmarkFloor$|BenchmarkVerifyCold|BenchmarkVerifyRepeated|BenchmarkVerifyParallel|BenchmarkMiddleware'
	step "main module targets"
	echo '## Targets: `go test -run '"'"'^$'"'"' -bench '"'$targets'"' -benchmem -cpu 1,2 -benchtime '"$benchtime"'` in the main module'
	echo
	echo '```'
	(cd .. && go test -run '^$' -bench "$targets" -benchmem -cpu 1,2 -benchtime "$benchtime" -count 1 .)
	echo '```'
	echo
	step "cache hit profile"
	echo '## Where a cache hit'"'"'s time goes: `go test -run '"'"'^$'"'"' -bench '"'"'BenchmarkVerifyRepeated$'"'"' -cpu 1 -benchtime '"$longtime"' -cpuprofile`, `go tool pprof -top`'
	echo
	echo '```'
	(cd .. && go test -run '^$' -bench 'BenchmarkVerifyRepeated$' -benchmem -cpu 1 -benchtime "$longtime" -count 1 \
		-cpuprofile "$work/hit.prof" -o "$work/root.test" . | grep -E '^Benchmark')
	# The benchmark's set-up (RSA keys, minting) is left out: the rest is
	# the loop and the collector's work for it.
	go tool pprof -top -nodecount 25 -ignore 'GenerateKey|benchTokens|benchKey' "$work/root.test" "$work/hit.prof" 2>/dev/null |
		sed -n '/^Showing nodes/,$p'
	echo '```'
	echo
	step "revocation list"
	echo '## Revocation list: `go test -run '"'"'^$'"'"' -bench . -benchmem -cpu 1,2 ./revocation`'
	echo
	echo '```'
	(cd .. && go test -run '^$' -bench 'BenchmarkRevocationReason' -benchmem -cpu 1,2 -benchtime "$benchtime" -count 1 ./revocation &&
		go test -run '^$' -bench 'BenchmarkListMemory' -benchtime 1000000x -count 1 ./revocation)
	echo '```'
	echo
	step "revocation replica"
	echo '## Revocation replica: `go test -run '"'"'^$'"'"' -bench ReplicaReason -benchmem -cpu 1,2` in redisstore'
	echo
	echo '```'
	(cd ../redisstore && go test -run '^$' -bench 'BenchmarkReplicaReason' -benchmem -cpu 1,2 -benchtime "$benchtime" -count 1 .)
	echo '```'
	echo
	step "web sessions"
	echo '## Web sessions: `go test -run '"'"'^$'"'"' -bench '"'"'SessionRequest|AccessToken'"'"' -benchmem -cpu 1,2 ./web`'
	echo
	echo '```'
	(cd .. && go test -run '^$' -bench 'BenchmarkSessionRequest|BenchmarkAccessToken' -benchmem -cpu 1,2 -benchtime "$benchtime" -count 1 ./web)
	echo '```'
	echo
	step "rejection cost"
	echo '## Rejection cost: `go test -run '"'"'^$'"'"' -bench RejectCost -benchtime '"$rejecttime"' -cpu 1` in the main module'
	echo
	echo '```'
	(cd .. && go test -run '^$' -bench 'BenchmarkRejectCost' -benchtime "$rejecttime" -cpu 1 -count 1 .)
	echo '```'
	echo
	step "peers"
	echo '## Peers: `cd bench && go run ./cmd/compare '"${compare[*]}"'`'
	echo
	go run ./cmd/compare "${compare[@]}"
	echo
	step "end to end"
	echo '## End to end: `cd bench && go run ./cmd/load '"${loadflags[*]:-}"'`'
	echo
	go run ./cmd/load "${loadflags[@]}"
	echo
	echo "Finished: $(date -u '+%Y-%m-%d %H:%M:%S UTC'). Load average (1, 5, 15 min) after: $(load); uptime: $(uptime)."
} >"$tmp"
mv "$tmp" "$out"
echo "wrote $out"
