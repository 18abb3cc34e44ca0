// Command compare verifies one Cognito access token with cognitojwt, the
// raw crypto floor and other Go JWT libraries, side by side in one process,
// and prints a markdown table: ns/op, allocs/op and the ratio to the floor,
// and how each scales from one core to two.
//
//	cd bench && go run ./cmd/compare
//
// Each benchmark runs -rounds times, interleaved with the others, and the
// median is reported, so that a burst of load elsewhere on the machine
// moves one sample rather than one row.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/cputime"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/bench/internal/fixture"
	"github.com/cognitojwt/cognitojwt/bench/internal/machine"
	"github.com/cognitojwt/cognitojwt/bench/peers"
)

func main() {
	testing.Init()
	rounds := flag.Int("rounds", 5, "samples per benchmark; the median is reported")
	benchtime := flag.Duration("benchtime", time.Second, "target duration of one sample")
	scaling := flag.Bool("scaling", true, "also measure RunParallel throughput on 1 and 2 cores")
	withPages := flag.Bool("pages", true, "also serve a signed-in page through web and the session libraries")
	flag.Parse()
	if err := flag.Set("test.benchtime", benchtime.String()); err != nil {
		log.Fatal(err)
	}
	if err := run(os.Stdout, *rounds, *scaling, *withPages); err != nil {
		log.Fatal(err)
	}
}

// tokenPool is how many distinct tokens each verifier cycles through.
const tokenPool = 256

func mintPool(p *fixture.Pool, n int, withAud bool) []fixture.Token {
	out := make([]fixture.Token, n)
	for i := range out {
		out[i] = p.Access(12*time.Hour, withAud)
	}
	return out
}

// row is one verifier's benchmark.
type row struct {
	name, checks, note string
	// verify checks the i-th token of the row's pool.
	verify func(ctx context.Context, i int) error
	// perWorker, when set, makes a verify for each goroutine of the
	// parallel runs (and the one above), for rows that keep state of their
	// own per caller, as a server keeps it per request.
	perWorker func() func(ctx context.Context, i int) error
	floorOf   string // which floor row its ratio uses
	// scale asks for RunParallel throughput at GOMAXPROCS 1 and 2: the
	// verifications and cache hits, whose scaling the issue is about.
	scale      bool
	samples    []testing.BenchmarkResult
	cpu        []float64 // process CPU ns/op of each sample
	par1, par2 []testing.BenchmarkResult
}

func run(w io.Writer, rounds int, scaling, withPages bool) error {
	pool, err := fixture.NewPool()
	if err != nil {
		return err
	}
	jwks, err := pool.Serve()
	if err != nil {
		return err
	}
	defer jwks.Close()
	set, err := peers.New(jwks.JWKSURL())
	if err != nil {
		return err
	}
	defer set.Close()

	// Every verifier walks the same pool of distinct tokens: one token
	// repeated would let the branch predictor learn its bytes and flatter
	// every byte-at-a-time parser.
	toks := mintPool(pool, tokenPool, false)
	toksAud := mintPool(pool, tokenPool, true)
	tok := toks[0]
	pub := pool.Public()
	if _, err := set.Cognito.Verify(context.Background(), tok.Raw); err != nil {
		return err
	}

	rows := []*row{
		{name: "floor: SHA-256 + rsa.VerifyPKCS1v15", checks: "signature only", scale: true,
			verify: func(_ context.Context, i int) error { return toks[i%len(toks)].Floor(pub) }},
		{name: "floor, token with aud", checks: "signature only", note: "the token the aud-requiring library gets",
			verify: func(_ context.Context, i int) error { return toksAud[i%len(toksAud)].Floor(pub) }},
		{name: "cognitojwt (repeated, cache hit)", checks: "as cold, answered by the verified-token cache",
			note: "one token, seen before", floorOf: floorRow, scale: true,
			verify: func(ctx context.Context, _ int) error {
				_, err := set.Cognito.Verify(ctx, tok.Raw)
				return err
			}},
		{name: "cognitojwt VerifyInto (repeated, cache hit)", checks: "as the cache hit, the claims copied into the caller's struct",
			note: "one token, seen before; each goroutine fills a Claims of its own", floorOf: floorRow, scale: true,
			perWorker: func() func(context.Context, int) error {
				dst := new(cognitojwt.Claims)
				return func(ctx context.Context, _ int) error { return set.Cognito.VerifyInto(ctx, tok.Raw, dst) }
			}},
	}
	rows = append(rows, middlewareRows(set, tok.Raw, toksAud[0].Raw)...)
	revRows, err := revocationRows()
	if err != nil {
		return err
	}
	rows = append(rows, revRows...)
	if withPages {
		pages, err := peers.NewPages()
		if err != nil {
			return fmt.Errorf("pages: %w", err)
		}
		defer pages.Close()
		rows = append(rows, pageRows(pages)...)
	}
	for _, v := range set.Verifiers {
		r := &row{name: v.Name, checks: v.Checks, floorOf: floorRow, scale: true}
		ts := toks
		if v.NeedsAud {
			ts = toksAud
			r.floorOf = "floor, token with aud"
			r.note = "requires aud, which Cognito access tokens lack: given the same tokens plus aud"
		}
		verify := v.Verify
		r.verify = func(ctx context.Context, i int) error { return verify(ctx, ts[i%len(ts)].Raw) }
		rows = append(rows, r)
	}
	for _, r := range rows {
		if r.perWorker != nil {
			r.verify = r.perWorker()
		}
		if err := r.verify(context.Background(), 0); err != nil {
			return fmt.Errorf("%s rejects the benchmark token: %w", r.name, err)
		}
	}

	procs := runtime.GOMAXPROCS(0)
	for i := range rounds {
		fmt.Fprintf(os.Stderr, "round %d/%d\n", i+1, rounds)
		for _, r := range rows {
			res, cpu := measure(r.verify)
			r.samples = append(r.samples, res)
			if cpu > 0 {
				r.cpu = append(r.cpu, cpu)
			}
			if scaling && r.scale {
				runtime.GOMAXPROCS(1)
				r.par1 = append(r.par1, testing.Benchmark(parallel(r)))
				runtime.GOMAXPROCS(2)
				r.par2 = append(r.par2, testing.Benchmark(parallel(r)))
				runtime.GOMAXPROCS(procs)
			}
		}
	}

	fmt.Fprintf(w, "%s\n\n", machine.Describe())
	fmt.Fprintf(w, "Tokens: %d distinct Cognito-shaped access tokens, RS256, %d bytes (kid, iss, client_id, token_use, cognito:groups, scope), "+
		"every verifier cycling through the same ones. "+
		"Median of %d samples of %s each, the verifiers taking turns. ns/op is wall time; CPU ns/op is the process's CPU time "+
		"(garbage collection included), which load from other programs barely moves. x floor divides by the floor row "+
		"of the same run.\n\n",
		tokenPool, len(tok.Raw), rounds, flag.Lookup("test.benchtime").Value)
	fmt.Fprintln(w, "| verifier | ns/op | CPU ns/op | allocs/op | B/op | x floor | x floor (CPU) | 2-core / 1-core throughput | checks |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	floors, floorsCPU := map[string]float64{}, map[string]float64{}
	for _, r := range rows {
		if r.floorOf == "" {
			floors[r.name] = median(r.samples, nsPerOp)
			floorsCPU[r.name] = medianOf(r.cpu)
		}
	}
	for _, r := range rows {
		ns, cpu := median(r.samples, nsPerOp), medianOf(r.cpu)
		ratio, ratioCPU := "1.00", "1.00"
		if r.floorOf != "" {
			ratio = fmt.Sprintf("%.2f", ns/floors[r.floorOf])
			ratioCPU = fmt.Sprintf("%.2f", cpu/floorsCPU[r.floorOf])
		}
		scale := "-"
		if scaling && r.scale {
			scale = fmt.Sprintf("%.2f", median(r.par1, nsPerOp)/median(r.par2, nsPerOp))
		}
		name := r.name
		if r.note != "" {
			name += " (" + r.note + ")"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.0f | %.0f | %s | %s | %s | %s |\n", name, commas(ns), commas(cpu),
			median(r.samples, allocsPerOp), median(r.samples, bytesPerOp), ratio, ratioCPU, scale, r.checks)
	}
	if scaling {
		writeScaling(w, rows)
	}
	return nil
}

// writeScaling prints the RunParallel throughput of the rows that have
// it, at GOMAXPROCS 1 and 2: a cache hit that shares nothing written
// between cores doubles, as the floor does.
func writeScaling(w io.Writer, rows []*row) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Throughput with `b.RunParallel`, GOMAXPROCS 1 then 2 in each round, medians (operations per second of the whole process; the target for cache hits is 2 / 1 >= 1.8, which two idle cores allow):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| path | ops/s, GOMAXPROCS 1 | ops/s, GOMAXPROCS 2 | 2 / 1 |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: |")
	for _, r := range rows {
		if !r.scale {
			continue
		}
		ns1, ns2 := median(r.par1, nsPerOp), median(r.par2, nsPerOp)
		if ns1 == 0 || ns2 == 0 {
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.2f |\n", r.name, commas(1e9/ns1), commas(1e9/ns2), ns1/ns2)
	}
}

// measure benchmarks verify on one goroutine and returns the result with
// the process CPU time per op of the run the result reports (0 if the
// clock is unavailable).
func measure(verify func(context.Context, int) error) (testing.BenchmarkResult, float64) {
	var lastN int
	var lastCPU time.Duration
	cpuOK := true
	res := testing.Benchmark(func(b *testing.B) {
		ctx := context.Background()
		b.ReportAllocs()
		c0, ok0 := cputime.Process()
		for i := range b.N {
			if err := verify(ctx, i); err != nil {
				b.Fatal(err)
			}
		}
		c1, ok1 := cputime.Process()
		lastN, lastCPU, cpuOK = b.N, c1-c0, ok0 && ok1
	})
	if !cpuOK || res.N == 0 || lastN != res.N {
		return res, 0
	}
	return res, float64(lastCPU.Nanoseconds()) / float64(lastN)
}

func parallel(r *row) func(*testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		var offset atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			verify := r.verify
			if r.perWorker != nil {
				verify = r.perWorker()
			}
			i := int(offset.Add(tokenPool / 2))
			for pb.Next() {
				i++
				if err := verify(ctx, i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
}

func nsPerOp(r testing.BenchmarkResult) float64 { return float64(r.T.Nanoseconds()) / float64(r.N) }
func allocsPerOp(r testing.BenchmarkResult) float64 {
	return float64(r.MemAllocs) / float64(r.N)
}
func bytesPerOp(r testing.BenchmarkResult) float64 { return float64(r.MemBytes) / float64(r.N) }

func median(rs []testing.BenchmarkResult, f func(testing.BenchmarkResult) float64) float64 {
	v := make([]float64, 0, len(rs))
	for _, r := range rs {
		if r.N > 0 {
			v = append(v, f(r))
		}
	}
	return medianOf(v)
}

func medianOf(v []float64) float64 {
	v = slices.Clone(v)
	if len(v) == 0 {
		return 0
	}
	slices.SortFunc(v, cmp.Compare)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// commas prints whole nanoseconds with thousands separators, or one decimal
// below a hundred.
func commas(ns float64) string {
	if ns < 100 {
		return fmt.Sprintf("%.1f", ns)
	}
	s := fmt.Sprintf("%.0f", ns)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
