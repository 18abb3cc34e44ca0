// Command load runs a loopback HTTP server and drives it with concurrent
// keep-alive clients presenting many distinct valid Cognito access tokens,
// once to a handler without authentication and once to the same handler
// behind cognitojwt's Middleware and a group policy, and prints req/s and
// latency percentiles of both and their ratio.
//
//	cd bench && go run ./cmd/load
//
// Server and clients share the machine, so the absolute numbers are those
// of this host's loopback and HTTP stack; the ratio is what the middleware
// costs a real request.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/bench/internal/fixture"
	"github.com/cognitojwt/cognitojwt/bench/internal/machine"
)

func main() {
	clients := flag.Int("clients", 64, "concurrent clients")
	tokens := flag.Int("tokens", 1000, "distinct valid tokens the clients present")
	duration := flag.Duration("duration", 5*time.Second, "measured time per mode")
	warmup := flag.Duration("warmup", time.Second, "unmeasured time per mode before the first round")
	rounds := flag.Int("rounds", 5, "the modes take turns this many times, sharing the duration, so that load elsewhere on the machine weighs on all of them")
	flag.Parse()
	if err := run(os.Stdout, *clients, *tokens, *duration, *warmup, *rounds); err != nil {
		log.Fatal(err)
	}
}

type result struct {
	mode          string
	requests      int
	failures      int64
	elapsed       time.Duration
	p50, p99, max time.Duration
}

func (r result) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func run(w io.Writer, clients, tokens int, duration, warmup time.Duration, rounds int) error {
	pool, err := fixture.NewPool()
	if err != nil {
		return err
	}
	jwks, err := pool.Serve()
	if err != nil {
		return err
	}
	defer jwks.Close()
	fmt.Fprintf(os.Stderr, "minting %d tokens\n", tokens)
	toks := pool.AccessN(tokens, time.Hour)

	newVerifier := func(cacheSize int) (*cognitojwt.Verifier, error) {
		v, err := cognitojwt.New(cognitojwt.Config{
			UserPoolID: fixture.PoolID, ClientIDs: []string{fixture.ClientID}, JWKSURL: jwks.JWKSURL(), CacheSize: cacheSize,
		})
		if err != nil {
			return nil, err
		}
		return v, v.Warm(context.Background())
	}
	cached, err := newVerifier(0)
	if err != nil {
		return err
	}
	uncached, err := newVerifier(-1)
	if err != nil {
		return err
	}

	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	policy := authz.RequireAnyGroup(fixture.Group)
	mux := http.NewServeMux()
	mux.Handle("/open", ok)
	mux.Handle("/protected", cognitojwt.Middleware(cached)(policy(ok)))
	mux.Handle("/protected-nocache", cognitojwt.Middleware(uncached)(policy(ok)))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	client := &http.Client{
		Transport: &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients},
		Timeout:   10 * time.Second,
	}
	defer client.CloseIdleConnections()

	modes := []struct{ name, path string }{
		{"no middleware", "/open"},
		{"Middleware + RequireAnyGroup (cache on, default)", "/protected"},
		{"Middleware + RequireAnyGroup (cache off)", "/protected-nocache"},
	}
	for _, m := range modes {
		fmt.Fprintf(os.Stderr, "%s: warm-up %s\n", m.name, warmup)
		if _, err := drive(client, base+m.path, toks, clients, warmup); err != nil {
			return err
		}
	}
	samples := make([]sample, len(modes))
	for i := range rounds {
		fmt.Fprintf(os.Stderr, "round %d/%d\n", i+1, rounds)
		for j, m := range modes {
			s, err := drive(client, base+m.path, toks, clients, duration/time.Duration(rounds))
			if err != nil {
				return err
			}
			samples[j].add(s)
		}
	}
	results := make([]result, len(modes))
	for j, m := range modes {
		results[j] = samples[j].result()
		results[j].mode = m.name
	}

	fmt.Fprintf(w, "%s\n\n", machine.Describe())
	fmt.Fprintf(w, "Loopback HTTP/1.1 keep-alive, %d concurrent clients, %d distinct valid access tokens (%d bytes each) presented round-robin, "+
		"%s measured per mode in %d interleaved rounds, after %s warm-up per mode; server and clients share the machine.\n\n",
		clients, tokens, len(toks[0].Raw), duration, rounds, warmup)
	fmt.Fprintln(w, "| mode | req/s | p50 | p99 | max | failures | req/s vs none | p99 vs none |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	none := results[0]
	for _, r := range results {
		fmt.Fprintf(w, "| %s | %.0f | %s | %s | %s | %d | %.2f | %.2f |\n", r.mode, r.rate(),
			r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.max.Round(time.Microsecond), r.failures,
			r.rate()/none.rate(), float64(r.p99)/float64(none.p99))
	}
	for _, r := range results {
		if r.failures > 0 {
			return fmt.Errorf("%s: %d requests failed", r.mode, r.failures)
		}
	}
	return nil
}

// sample is what one or more drive calls measured.
type sample struct {
	latencies []time.Duration
	failures  int64
	elapsed   time.Duration
}

func (s *sample) add(o sample) {
	s.latencies = append(s.latencies, o.latencies...)
	s.failures += o.failures
	s.elapsed += o.elapsed
}

func (s *sample) result() result {
	all := s.latencies
	slices.Sort(all)
	pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	return result{
		requests: len(all), failures: s.failures, elapsed: s.elapsed,
		p50: pct(0.50), p99: pct(0.99), max: all[len(all)-1],
	}
}

// drive runs clients goroutines against url for d, each presenting the
// tokens in turn from its own offset, and measures every request.
func drive(client *http.Client, url string, toks []fixture.Token, clients int, d time.Duration) (sample, error) {
	deadline := time.Now().Add(d)
	var failures atomic.Int64
	var firstErr atomic.Pointer[error]
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := make([]time.Duration, 0, 1<<12)
			for i := c; time.Now().Before(deadline); i += clients {
				req, err := http.NewRequest(http.MethodGet, url, nil)
				if err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				req.Header.Set("Authorization", "Bearer "+toks[i%len(toks)].Raw)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				own = append(own, time.Since(t0))
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, &err)
				}
			}
			lat[c] = own
		}()
	}
	wg.Wait()
	s := sample{failures: failures.Load(), elapsed: time.Since(start)}
	for _, l := range lat {
		s.latencies = append(s.latencies, l...)
	}
	if len(s.latencies) == 0 {
		if p := firstErr.Load(); p != nil {
			return sample{}, *p
		}
		return sample{}, errors.New("no request completed")
	}
	return s, nil
}
