package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/redisstore/internal/measure"
)

// propagation revokes jtis on instance i mod n at the given rate, each
// timed from the call until every instance refuses it; several are in
// flight at once, as in a fleet under load.
func propagation(ctx context.Context, w io.Writer, cfg config, res *results) error {
	_, f, stop, err := openFleet(ctx, cfg.instances, false)
	if err != nil {
		return err
	}
	defer stop()
	var (
		mu    sync.Mutex
		times []time.Duration
		never int
		wg    sync.WaitGroup
	)
	tick := time.NewTicker(time.Second / time.Duration(cfg.rate))
	defer tick.Stop()
	for i := range cfg.samples {
		<-tick.C
		id := fmt.Sprintf("prop-%d-%d", time.Now().UnixNano(), i)
		start := time.Now()
		if err := f.Lists[i%len(f.Lists)].RevokeJTI(ctx, id); err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, ok := f.WaitAll(&cognitojwt.Claims{JWTID: id}, start, 10*time.Second)
			mu.Lock()
			defer mu.Unlock()
			if !ok {
				never++
				return
			}
			times = append(times, d)
		}()
	}
	wg.Wait()
	slices.Sort(times)
	res.neverConverged = never
	fmt.Fprintln(w, "### Propagation: one instance revokes, every instance refuses")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%d revocations at %d/s, each made on one instance in turn, timed from the call until all %d refuse the token.\n\n", cfg.samples, cfg.rate, cfg.instances)
	fmt.Fprintln(w, "| p50 | p99 | max | never converged |")
	fmt.Fprintln(w, "| --- | --- | --- | --- |")
	if len(times) == 0 {
		fmt.Fprintf(w, "| - | - | - | %d |\n\n", never)
		return nil
	}
	res.propagationP99 = measure.Percentile(times, 99)
	fmt.Fprintf(w, "| %s | %s | %s | %d |\n\n", measure.Ms(measure.Percentile(times, 50)), measure.Ms(res.propagationP99), measure.Ms(times[len(times)-1]), never)
	return nil
}
