package redisstore

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt"
)

// A subject's cut-off keeps every nanosecond: in Redis, on the instance
// that made it, on one that heard it on the channel and on one that read
// it from Redis at start. Every instance therefore applies the same
// second to the same token.
func TestSubjectCutoffKeepsFullPrecisionOnEveryInstance(t *testing.T) {
	srv := startServer(t)
	a := newInternal(t, srv.Addr(), WithResyncInterval(time.Hour))
	b := newInternal(t, srv.Addr(), WithResyncInterval(time.Hour))
	cut := time.Unix(time.Now().Unix(), 999_999_999) // the last nanosecond of a second
	if err := a.RevokeSubject(context.Background(), "sub-1", cut); err != nil {
		t.Fatal(err)
	}
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr(), DisableIdentity: true})
	defer admin.Close()
	stored, err := admin.HGet(context.Background(), a.keys[keySubjectNS], "sub-1").Result()
	if err != nil || stored != strconv.FormatInt(cut.UnixNano(), 10) {
		t.Fatalf("Redis holds %q (%v), want %d", stored, err, cut.UnixNano())
	}
	c := newInternal(t, srv.Addr(), WithResyncInterval(time.Hour))
	moment := func(r *Revocations) int64 {
		i := kindSubject.index()
		v, ok := r.replica.find(i, "sub-1", r.replica.hash(i, "sub-1"))
		if !ok {
			return 0
		}
		return v.moment
	}
	waitFor(t, "b heard the cut-off", func() bool { return moment(b) != 0 })
	for name, r := range map[string]*Revocations{"maker": a, "subscriber": b, "loader": c} {
		if got := moment(r); got != cut.UnixNano() {
			t.Errorf("%s holds %d, want %d", name, got, cut.UnixNano())
		}
		same := &cognitojwt.Claims{Subject: "sub-1", IssuedAt: time.Unix(cut.Unix(), 0)}
		earlier := &cognitojwt.Claims{Subject: "sub-1", IssuedAt: time.Unix(cut.Unix()-1, 0)}
		if r.Revoked(same) || !r.Revoked(earlier) {
			t.Errorf("%s: the cut-off's second admitted %v, the second before refused %v", name, !r.Revoked(same), r.Revoked(earlier))
		}
	}
}

// readCounter counts the entries a client reads back from Redis.
type readCounter struct{ n atomic.Int64 }

func (c *readCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *readCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		c.count(cmd)
		return err
	}
}
func (c *readCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, cmd := range cmds {
			c.count(cmd)
		}
		return err
	}
}
func (c *readCounter) count(cmd redis.Cmder) {
	switch v := cmd.(type) {
	case *redis.ZSliceCmd:
		c.n.Add(int64(len(v.Val())))
	case *redis.MapStringStringCmd:
		c.n.Add(int64(len(v.Val())))
	case *redis.ScanCmd:
		keys, _ := v.Val()
		c.n.Add(int64(len(keys) / 2))
	}
}

// A resynchronisation reads what changed since the last one, not the
// list: with a thousand entries, resyncs that find nothing new read no
// entry, and one revocation made elsewhere is read once.
func TestResyncReadsOnlyWhatChanged(t *testing.T) {
	srv := startServer(t)
	writer := newInternal(t, srv.Addr(), WithResyncInterval(time.Hour))
	ctx := context.Background()
	var fill []entry
	for i := range 1000 {
		fill = append(fill, entry{kind: kindJTI, id: "jti-" + strconv.Itoa(i), moment: time.Now().UnixMilli() * 1e6})
	}
	if err := writer.write(ctx, fill, false); err != nil {
		t.Fatal(err)
	}
	counter := &readCounter{}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), DisableIdentity: true})
	rdb.AddHook(counter)
	defer rdb.Close()
	var mu sync.Mutex
	resyncs := 0
	r, err := NewRevocations(ctx, rdb, WithResyncInterval(10*time.Millisecond), WithHooks(Hooks{Resynced: func(int) {
		mu.Lock()
		resyncs++
		mu.Unlock()
	}}))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Len() != 1000 {
		t.Fatalf("loaded %d entries", r.Len())
	}
	after := func(n int) {
		mu.Lock()
		target := resyncs + n
		mu.Unlock()
		waitFor(t, "resyncs", func() bool { mu.Lock(); defer mu.Unlock(); return resyncs >= target })
	}
	counter.n.Store(0)
	after(10)
	if n := counter.n.Load(); n != 0 {
		t.Errorf("ten resyncs with nothing new read %d entries", n)
	}
	if err := writer.RevokeJTI(ctx, "new"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new entry", func() bool { return r.Len() == 1001 })
	after(10)
	if n := counter.n.Load(); n > 2 {
		t.Errorf("resyncs after one change read %d entries, want at most the change (and the mark)", n)
	}
}
