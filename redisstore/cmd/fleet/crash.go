package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt/redisstore"
	"github.com/cognitojwt/cognitojwt/redisstore/internal/measure"
)

// crashes streams revocations from every instance while the server is
// killed with SIGKILL and restarted, rounds times without persistence and
// rounds times with it (append-only file, fsync always), and counts the
// revocations Redis lacks once the fleet has settled: an acknowledged one
// (nil error) or a queued one (ErrQueued) must never be lost.
func crashes(ctx context.Context, w io.Writer, cfg config, res *results) error {
	fmt.Fprintln(w, "### Redis killed (SIGKILL) and restarted during a stream of revocations")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| persistence | rounds | revocations | acknowledged | queued | acknowledged lost | queued lost | longest settle |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- |")
	for mode, appendOnly := range []bool{false, true} {
		srv, err := startServer(appendOnly)
		if err != nil {
			return err
		}
		f, err := newFleet(ctx, srv.Addr(), cfg.instances, false, redisstore.WithRetryInterval(100*time.Millisecond))
		if err != nil {
			_ = srv.Stop()
			return err
		}
		var acked, queued []string
		var slowest time.Duration
		for round := range cfg.rounds {
			a, q, err := crashRound(ctx, f, srv, round)
			if err != nil {
				f.Close()
				_ = srv.Stop()
				return err
			}
			acked, queued = append(acked, a...), append(queued, q...)
			start := time.Now()
			settled := f.drained(30 * time.Second)
			if !settled {
				f.Close()
				_ = srv.Stop()
				return errors.New("revocations still queued 30 s after the restart")
			}
			slowest = max(slowest, time.Since(start))
		}
		rdb := admin(srv.Addr())
		var lostA, lostQ int
		until(30*time.Second, func() bool {
			lostA, lostQ = missing(ctx, rdb, acked), missing(ctx, rdb, queued)
			return lostA == 0 && lostQ == 0
		})
		_ = rdb.Close()
		f.Close()
		_ = srv.Stop()
		res.lostAcked[mode], res.lostQueued[mode] = lostA, lostQ
		name := "none (restarts empty)"
		if appendOnly {
			name = "append-only, fsync always"
		}
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %d | %s |\n", name, cfg.rounds, len(acked)+len(queued), len(acked), len(queued), lostA, lostQ, measure.Ms(slowest))
	}
	fmt.Fprintln(w)
	return nil
}

// crashRound writes from every instance, kills the server a moment in,
// keeps writing while it is down, restarts it, and returns the ids each
// write acknowledged or queued.
func crashRound(ctx context.Context, f *fleet, srv interface {
	Kill() error
	Restart() error
}, round int) (acked, queued []string, err error) {
	var (
		mu   sync.Mutex
		stop atomic.Bool
		wg   sync.WaitGroup
		bad  error
	)
	for i, l := range f.Lists {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				id := fmt.Sprintf("crash-%d-%d-%d-%d", round, i, n, time.Now().UnixNano())
				wctx, cancel := context.WithTimeout(ctx, time.Second)
				err := l.RevokeJTI(wctx, id)
				cancel()
				mu.Lock()
				switch {
				case err == nil:
					acked = append(acked, id)
				case errors.Is(err, redisstore.ErrQueued):
					queued = append(queued, id)
				default:
					bad = err
				}
				mu.Unlock()
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	if err := srv.Kill(); err != nil {
		return nil, nil, err
	}
	time.Sleep(200 * time.Millisecond)
	if err := srv.Restart(); err != nil {
		return nil, nil, err
	}
	time.Sleep(200 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	return acked, queued, bad
}

// missing counts the ids Redis does not hold.
func missing(ctx context.Context, rdb *redis.Client, ids []string) int {
	n := 0
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 1000)]
		ids = ids[len(chunk):]
		cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, id := range chunk {
				p.ZScore(ctx, "{cognitojwt:revocations}:j", id)
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return len(chunk) + len(ids) + n
		}
		for _, c := range cmds {
			if c.Err() != nil {
				n++
			}
		}
	}
	return n
}
