package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt/internal/safe"
)

// errRestoring: Redis lost the list and another instance holds the lease
// to restore it; this one waits for the restored list instead of writing
// it too.
var errRestoring = errors.New("redisstore: another instance is restoring the list")

// restoredMsg tells the instances on the channel that the list was
// restored, so that they read it back at once. It decodes as no entry.
const restoredMsg = "restored"

// load is the initial synchronisation of NewRevocations: it waits, within
// ctx, for a restore under way elsewhere to finish.
func (r *Revocations) load(ctx context.Context) error {
	for {
		err := r.sync(ctx)
		if !errors.Is(err, errRestoring) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(r.opt.retry):
		}
	}
}

// sync brings the replica up to date with Redis: the changes since its
// position when Redis can tell them, the whole list when it cannot, and a
// restore when Redis lost the list.
func (r *Revocations) sync(ctx context.Context) error {
	if r.pos.epoch != "" {
		pos, changes, err := r.readChanges(ctx, r.pos)
		switch {
		case errors.Is(err, errGap):
			r.opt.logger.Info("redisstore: changes not all logged; reading the whole list")
		case err != nil:
			return err
		case pos.epoch == "":
			return r.restore(ctx, nil)
		case pos.epoch == r.pos.epoch:
			for _, e := range changes {
				r.merge(e)
			}
			r.pos = pos
			return r.tidy(ctx)
		}
	}
	return r.syncAll(ctx)
}

// syncAll reads the whole list, merges it, and writes back what this
// replica holds and Redis lacks.
func (r *Revocations) syncAll(ctx context.Context) error {
	pos, remote, err := r.readAll(ctx)
	if err != nil {
		return err
	}
	if pos.epoch == "" {
		return r.restore(ctx, remote)
	}
	if _, err := r.writeBack(ctx, remote, true); err != nil {
		return err
	}
	r.pos = pos
	return r.tidy(ctx)
}

// writeBack merges remote into the replica and writes to Redis the live
// entries of the replica that remote lacks or holds with an older moment;
// it returns how many.
func (r *Revocations) writeBack(ctx context.Context, remote []entry, publish bool) (int, error) {
	have := make(map[pendingKey]int64, len(remote))
	for _, e := range remote {
		have[pendingKey{e.kind, e.id}] = e.moment
		r.merge(e)
	}
	r.bound()
	var missing []entry
	for _, e := range r.replica.snapshot(r.cutoff()) {
		if m, ok := have[pendingKey{e.kind, e.id}]; !ok || m < e.moment {
			missing = append(missing, e)
		}
	}
	if len(missing) == 0 {
		return 0, nil
	}
	if err := r.write(ctx, missing, publish); err != nil {
		return 0, err
	}
	r.opt.logger.Info("redisstore: wrote back revocations redis had lost", "entries", len(missing))
	return len(missing), nil
}

// restore runs when Redis has no epoch: it restarted empty (or this is the
// list's first use). The instance that takes the lease writes back what
// it holds, without publishing each entry, then names the new epoch and
// tells the others, which read the list back (syncAll) and write only
// what the restorer lacked. The list is written about once, however many
// instances there are. remote is what Redis holds, when the caller has
// just read it.
func (r *Revocations) restore(ctx context.Context, remote []entry) error {
	token := randomToken()
	ok, err := r.lease(ctx, token)
	if err != nil {
		return err
	}
	if !ok {
		return errRestoring
	}
	defer r.release(context.WithoutCancel(ctx), token)
	var pos position
	if remote == nil {
		pos, remote, err = r.readAll(ctx)
	} else {
		pos, err = r.readPosition(ctx)
	}
	if err != nil {
		return err
	}
	if pos.epoch != "" {
		return r.syncAll(ctx) // restored by another while this one asked
	}
	written, err := r.writeBack(ctx, remote, false)
	if err != nil {
		return err
	}
	if err := r.rdb.Set(ctx, r.keys[keyEpoch], randomToken(), 0).Err(); err != nil {
		return err
	}
	_ = r.rdb.Publish(ctx, r.channel, restoredMsg).Err()
	if pos, err = r.readPosition(ctx); err != nil {
		return err
	}
	r.pos = pos
	if written > 0 {
		r.opt.logger.Info("redisstore: restored the list into a redis that had lost it", "entries", written)
	}
	if h := r.opt.hooks.Restored; h != nil {
		h(written)
	}
	return r.tidy(ctx)
}

// merge adds e to the replica unless it has expired.
func (r *Revocations) merge(e entry) {
	if e.moment > r.cutoff() {
		r.replica.add(e)
	}
}

// bound keeps each kind of the replica within the entry bound, as Redis
// does at every write.
func (r *Revocations) bound() {
	if dropped := r.replica.bound(r.opt.maxEntries); dropped > 0 {
		r.opt.logger.Warn("redisstore: oldest revocations dropped to stay within the entry bound", "dropped", dropped, "max_per_kind", r.opt.maxEntries)
		if h := r.opt.hooks.Dropped; h != nil {
			h(dropped)
		}
	}
}

// tidy bounds and prunes the replica, and trims Redis of what expired when
// the replica found some: both cost what they remove.
func (r *Revocations) tidy(ctx context.Context) error {
	r.bound()
	if r.replica.prune(r.cutoff()) > 0 {
		return r.trim(ctx)
	}
	return nil
}

// flush retries the queued writes. What expired while queued is dropped.
func (r *Revocations) flush(ctx context.Context) error {
	cutoff := r.cutoff()
	r.mu.Lock()
	entries := make([]entry, 0, len(r.pending))
	for pk, m := range r.pending {
		if m <= cutoff {
			delete(r.pending, pk)
			continue
		}
		entries = append(entries, entry{kind: pk.kind, id: pk.id, moment: m})
	}
	r.mu.Unlock()
	if len(entries) == 0 {
		return nil
	}
	if err := r.write(ctx, entries, true); err != nil {
		return err
	}
	r.mu.Lock()
	for _, e := range entries {
		pk := pendingKey{e.kind, e.id}
		// A newer revocation of the same id may have been queued meanwhile.
		if r.pending[pk] == e.moment {
			delete(r.pending, pk)
		}
	}
	r.mu.Unlock()
	r.opt.logger.Info("redisstore: queued revocations written", "entries", len(entries))
	return nil
}

// receive applies the channel's messages. A (re)subscription triggers a
// resynchronisation, because messages published while the connection was
// down are lost.
func (r *Revocations) receive(ctx context.Context) {
	defer r.wg.Done()
	backoff := 50 * time.Millisecond
	for {
		msg, err := r.pubsub.ReceiveTimeout(ctx, r.opt.healthInterval)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				// Quiet channel: make sure the connection is still alive, as
				// a half-open one would never deliver again. A failed ping
				// shows up as an error on the next receive.
				_ = r.pubsub.Ping(ctx)
				continue
			}
			r.setUnreachable(err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 500*time.Millisecond)
			continue
		}
		backoff = 50 * time.Millisecond
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				r.opt.logger.Info("redisstore: subscribed", "channel", r.channel)
				if h := r.opt.hooks.Connected; h != nil {
					h()
				}
				r.resyncSoon()
			}
		case *redis.Message:
			if m.Payload == restoredMsg {
				r.resyncSoon()
			} else if e, ok := decode(m.Payload); ok {
				r.merge(e)
			}
		}
	}
}

func (r *Revocations) resyncSoon() {
	select {
	case r.resyncNow <- struct{}{}:
	default:
	}
}

// maintain resynchronises on (re)connection and every resync interval, and
// retries queued writes. A resynchronisation runs on a goroutine of its
// own, so that one Redis does not answer (stalled) is reported after the
// timeout rather than after the client gives up.
func (r *Revocations) maintain(ctx context.Context) {
	defer r.wg.Done()
	resync := time.NewTicker(r.opt.resync)
	defer resync.Stop()
	retry := time.NewTicker(r.opt.retry)
	defer retry.Stop()
	var (
		running <-chan error     // the resynchronisation under way
		stalled <-chan time.Time // fires when it has taken too long
		again   bool             // one more was asked for meanwhile
		failed  bool             // the last one failed: retry at the retry interval
	)
	start := func() {
		if running != nil {
			again = true
			return
		}
		done := make(chan error, 1)
		running, stalled = done, time.After(r.opt.timeout)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			// A panic (a bug, or a caller's redis.Hook) is a failed
			// resynchronisation, retried, rather than the process's end.
			done <- safe.Call(func() error {
				err := r.flush(ctx)
				if err == nil {
					err = r.sync(ctx)
				}
				return err
			})
		}()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-retry.C:
			if running == nil && (failed || r.Pending() > 0) {
				start()
			}
		case <-r.resyncNow:
			start()
		case <-resync.C:
			start()
		case <-stalled:
			stalled = nil
			r.setUnreachable(ErrStalled)
		case err := <-running:
			running, stalled = nil, nil
			failed = err != nil
			switch {
			case ctx.Err() != nil:
				return
			case errors.Is(err, errRestoring):
				// Another instance is restoring the list: look again at the
				// retry interval, or at once when it says it is done.
			case err != nil:
				if r.Pending() > 0 {
					if h := r.opt.hooks.Lagging; h != nil {
						h(r.Pending(), err)
					}
				}
				r.setUnreachable(err)
			default:
				r.setReachable()
				if h := r.opt.hooks.Resynced; h != nil {
					h(r.replica.len())
				}
			}
			if again && !failed {
				again = false
				start()
			}
		}
	}
}

// setUnreachable reports the first failure after a success, so a long
// outage logs once rather than at every retry.
func (r *Revocations) setUnreachable(err error) {
	r.mu.Lock()
	first := !r.unreachable
	r.unreachable = true
	r.mu.Unlock()
	if !first {
		return
	}
	r.opt.logger.Warn("redisstore: redis unreachable; serving the local replica", "err", err)
	if h := r.opt.hooks.Unreachable; h != nil {
		h(err)
	}
}

func (r *Revocations) setReachable() {
	r.mu.Lock()
	was := r.unreachable
	r.unreachable = false
	r.mu.Unlock()
	if was {
		r.opt.logger.Info("redisstore: redis reachable again; replica resynchronised")
	}
}

// encode writes an entry as "<kind><moment> <id>", the moment in Unix
// nanoseconds; the id goes last so it may contain any byte.
func encode(e entry) string {
	var b strings.Builder
	b.Grow(len(e.id) + 24)
	b.WriteByte(byte(e.kind))
	b.WriteString(strconv.FormatInt(e.moment, 10))
	b.WriteByte(' ')
	b.WriteString(e.id)
	return b.String()
}

func decode(s string) (entry, bool) {
	if len(s) < 4 {
		return entry{}, false
	}
	k := kind(s[0])
	if k != kindJTI && k != kindFamily && k != kindSubject {
		return entry{}, false
	}
	sp := strings.IndexByte(s, ' ')
	if sp < 2 || sp == len(s)-1 {
		return entry{}, false
	}
	m, err := strconv.ParseInt(s[1:sp], 10, 64)
	if err != nil {
		return entry{}, false
	}
	return entry{kind: k, id: s[sp+1:], moment: m}, true
}
