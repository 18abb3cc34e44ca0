package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cognitojwt/cognitojwt/redisstore/internal/measure"
	"github.com/redis/go-redis/v9"
)

// restore fills the list through the fleet, restarts the server empty, and
// measures how the fleet restores it.
func restore(ctx context.Context, w io.Writer, cfg config, res *results) error {
	srv, f, stop, err := openFleet(ctx, cfg.instances, false)
	if err != nil {
		return err
	}
	defer stop()
	var wg sync.WaitGroup
	errs := make(chan error, len(f.Lists))
	for i, l := range f.Lists {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := i; n < cfg.restore; n += len(f.Lists) {
				if err := l.RevokeJTI(ctx, fmt.Sprintf("restore-%09d", n)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if !until(30*time.Second, func() bool {
		for _, l := range f.Lists {
			if l.Len() != cfg.restore {
				return false
			}
		}
		return true
	}) {
		return fmt.Errorf("the fleet never held the %d entries", cfg.restore)
	}
	f.restored.Store(0)
	var connected []int32
	for i := range f.connected {
		connected = append(connected, f.connected[i].Load())
	}
	start := time.Now()
	if err := srv.Restart(); err != nil { // no persistence: it comes back empty
		return err
	}
	rdb := admin(srv.Addr())
	defer rdb.Close()
	settled := until(60*time.Second, func() bool {
		n, err := rdb.ZCard(ctx, "{cognitojwt:revocations}:j").Result()
		if err != nil || n != int64(cfg.restore) || f.restored.Load() == 0 {
			return false
		}
		for i := range f.connected {
			if f.connected[i].Load() <= connected[i] {
				return false
			}
		}
		return true
	})
	res.settle = time.Since(start)
	if !settled {
		return fmt.Errorf("the fleet had not restored the list %s after the empty restart", res.settle)
	}
	time.Sleep(time.Second) // what else the fleet sends shows in the counts
	calls := commandCalls(ctx, rdb)
	res.publishes, res.zadds = calls["publish"], calls["zadd"]
	res.restorers = int(f.restored.Load())
	for i := range f.connected {
		// One subscription per instance after the restart: more means a
		// subscriber was cut off (an output buffer over its limit).
		if extra := int(f.connected[i].Load()-connected[i]) - 1; extra > 0 {
			res.cutOff += extra
		}
	}
	mem, _ := rdb.Info(ctx, "memory").Result()
	res.peakMemory, _ = strconv.ParseInt(infoField(mem, "used_memory_peak"), 10, 64)
	fmt.Fprintln(w, "### Redis restarted empty under a fleet holding the list")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%d entries held by each of %d instances; the server restarted without persistence.\n\n", cfg.restore, cfg.instances)
	fmt.Fprintln(w, "| instances that restored | PUBLISH calls | ZADD calls | EVALSHA calls | Redis peak memory | subscribers cut off | settled after |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- |")
	fmt.Fprintf(w, "| %d | %d | %d | %d | %.1f MB | %d | %s |\n\n", res.restorers, res.publishes, res.zadds, calls["evalsha"],
		float64(res.peakMemory)/1e6, res.cutOff, measure.Ms(res.settle))
	return nil
}

// commandCalls reads INFO commandstats' calls per command.
func commandCalls(ctx context.Context, rdb *redis.Client) map[string]int64 {
	info, _ := rdb.Info(ctx, "commandstats").Result()
	out := map[string]int64{}
	for _, line := range strings.Split(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":calls=")
		if !ok {
			continue
		}
		calls, _, _ := strings.Cut(rest, ",")
		out[strings.TrimPrefix(name, "cmdstat_")], _ = strconv.ParseInt(calls, 10, 64)
	}
	return out
}

func infoField(info, name string) string {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}
