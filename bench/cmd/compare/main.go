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
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/bench/internal/fixture"
	"github.com/cognitojwt/cognitojwt/bench/internal/machine"
	"github.com/cognitojwt/cognitojwt/bench/peers"
)

func main() {
	testing.Init()
	rounds := flag.Int("rounds", 5, "samples per benchmark; the median is reported")
	benchtime := flag.Duration("benchtime", time.Second, "target duration of one sample")
	scaling := flag.Bool("scaling", true, "also measure RunParallel throughput on 1 and 2 cores")
	flag.Parse()
	if err := flag.Set("test.benchtime", benchtime.String()); err != nil {
		log.Fatal(err)
	}
	if err := run(os.Stdout, *rounds, *scaling); err != nil {
		log.Fatal(err)
	}
}

// row is one verifier's benchmark.
type row struct {
	name, checks, note string
	verify             func(context.Context) error
	floorOf            string // which floor row its ratio uses
	samples            []testing.BenchmarkResult
	par1, par2         []testing.BenchmarkResult
}

func run(w io.Writer, rounds int, scaling bool) error {
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

	tok := pool.Access(12*time.Hour, false)
	tokAud := pool.Access(12*time.Hour, true)
	pub := pool.Public()
	if _, err := set.Cognito.Verify(context.Background(), tok.Raw); err != nil {
		return err
	}

	rows := []*row{
		{name: "floor: SHA-256 + rsa.VerifyPKCS1v15", checks: "signature only",
			verify: func(context.Context) error { return tok.Floor(pub) }},
		{name: "floor, token with aud", checks: "signature only", note: "the token the aud-requiring library gets",
			verify: func(context.Context) error { return tokAud.Floor(pub) }},
		{name: "cognitojwt (repeated, cache hit)", checks: "as cold, answered by the verified-token cache",
			floorOf: "floor: SHA-256 + rsa.VerifyPKCS1v15",
			verify: func(ctx context.Context) error {
				_, err := set.Cognito.Verify(ctx, tok.Raw)
				return err
			}},
	}
	for _, v := range set.Verifiers {
		r := &row{name: v.Name, checks: v.Checks, floorOf: "floor: SHA-256 + rsa.VerifyPKCS1v15"}
		t := tok.Raw
		if v.NeedsAud {
			t = tokAud.Raw
			r.floorOf = "floor, token with aud"
			r.note = "requires aud, which Cognito access tokens lack: given the same token plus aud"
		}
		verify := v.Verify
		r.verify = func(ctx context.Context) error { return verify(ctx, t) }
		rows = append(rows, r)
	}
	for _, r := range rows {
		if err := r.verify(context.Background()); err != nil {
			return fmt.Errorf("%s rejects the benchmark token: %w", r.name, err)
		}
	}

	procs := runtime.GOMAXPROCS(0)
	for i := range rounds {
		fmt.Fprintf(os.Stderr, "round %d/%d\n", i+1, rounds)
		for _, r := range rows {
			r.samples = append(r.samples, testing.Benchmark(serial(r.verify)))
			if scaling {
				runtime.GOMAXPROCS(1)
				r.par1 = append(r.par1, testing.Benchmark(parallel(r.verify)))
				runtime.GOMAXPROCS(2)
				r.par2 = append(r.par2, testing.Benchmark(parallel(r.verify)))
				runtime.GOMAXPROCS(procs)
			}
		}
	}

	fmt.Fprintf(w, "%s\n\n", machine.Describe())
	fmt.Fprintf(w, "Token: Cognito-shaped access token, RS256, %d bytes (kid, iss, client_id, token_use, cognito:groups, scope). "+
		"Median of %d samples of %s each; x floor divides by the floor row measured in the same run.\n\n",
		len(tok.Raw), rounds, flag.Lookup("test.benchtime").Value)
	fmt.Fprintln(w, "| verifier | ns/op | allocs/op | B/op | x floor | 2-core / 1-core throughput | checks |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | --- |")
	floors := map[string]float64{}
	for _, r := range rows {
		ns := median(r.samples, nsPerOp)
		if r.floorOf == "" {
			floors[r.name] = ns
		}
	}
	for _, r := range rows {
		ns := median(r.samples, nsPerOp)
		ratio := "1.00"
		if r.floorOf != "" {
			ratio = fmt.Sprintf("%.2f", ns/floors[r.floorOf])
		}
		scale := "-"
		if scaling {
			scale = fmt.Sprintf("%.2f", median(r.par1, nsPerOp)/median(r.par2, nsPerOp))
		}
		name := r.name
		if r.note != "" {
			name += " (" + r.note + ")"
		}
		fmt.Fprintf(w, "| %s | %s | %.0f | %.0f | %s | %s | %s |\n", name, commas(ns),
			median(r.samples, allocsPerOp), median(r.samples, bytesPerOp), ratio, scale, r.checks)
	}
	return nil
}

func serial(verify func(context.Context) error) func(*testing.B) {
	return func(b *testing.B) {
		ctx := context.Background()
		b.ReportAllocs()
		for range b.N {
			if err := verify(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func parallel(verify func(context.Context) error) func(*testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				if err := verify(ctx); err != nil {
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
	if len(rs) == 0 {
		return 0
	}
	v := make([]float64, 0, len(rs))
	for _, r := range rs {
		if r.N > 0 {
			v = append(v, f(r))
		}
	}
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
