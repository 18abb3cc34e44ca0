package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitojwt/cognitojwt/redisstore/internal/measure"
)

// stall stops the server with SIGSTOP for cfg.stall while every instance,
// on go-redis's default client options, writes in a loop with a
// one-second deadline; it reports the longest write and the instances
// that reported the stall.
func stall(ctx context.Context, w io.Writer, cfg config, res *results) error {
	srv, f, done, err := openFleet(ctx, cfg.instances, true)
	if err != nil {
		return err
	}
	defer done()
	if err := srv.Pause(); err != nil {
		return err
	}
	var (
		longest atomic.Int64
		writes  atomic.Int64
		stop    atomic.Bool
		wg      sync.WaitGroup
	)
	for i, l := range f.Lists {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				wctx, cancel := context.WithTimeout(ctx, time.Second)
				start := time.Now()
				_ = l.RevokeJTI(wctx, fmt.Sprintf("stall-%d-%d", i, n))
				d := time.Since(start)
				cancel()
				writes.Add(1)
				for {
					cur := longest.Load()
					if int64(d) <= cur || longest.CompareAndSwap(cur, int64(d)) {
						break
					}
				}
			}
		}()
	}
	time.Sleep(cfg.stall)
	stop.Store(true)
	wg.Wait()
	reported := 0
	for i := range f.stalled {
		if f.stalled[i].Load() > 0 {
			reported++
		}
	}
	if err := srv.Resume(); err != nil {
		return err
	}
	drained := f.drained(30 * time.Second)
	if !drained {
		return errors.New("revocations still queued 30 s after the stall")
	}
	res.longestWrite, res.stallReported = time.Duration(longest.Load()), reported
	fmt.Fprintln(w, "### Redis stalled (SIGSTOP)")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "The server stopped for %s; every instance (go-redis default client options) writes in a loop with a 1 s deadline.\n\n", cfg.stall)
	fmt.Fprintln(w, "| writes | longest write | instances that reported the stall (Hooks.Unreachable, ErrStalled) | queue drained after SIGCONT |")
	fmt.Fprintln(w, "| --- | --- | --- | --- |")
	fmt.Fprintf(w, "| %d | %s | %d of %d | yes |\n\n", writes.Load(), measure.Ms(res.longestWrite), reported, cfg.instances)
	return nil
}
