package redisstore

import (
	"log/slog"

	"github.com/cognitojwt/cognitojwt/internal/safe"
)

// Hooks report the state of the replication. Every field is optional. The
// callbacks run on the store's own goroutines: keep them short and do not
// call back into the Revocations from them. A callback that panics is
// logged and ignored: it only observes, and on those goroutines its panic
// would end the process.
type Hooks struct {
	// Connected: the subscription is established (in NewRevocations) or
	// re-established. A resynchronisation follows at once.
	Connected func()
	// Resynced: the replica read what changed in Redis (every resync
	// interval) or the whole list (at start, after a restore, a failover
	// or a gap); entries is the number of live entries in it afterwards.
	Resynced func(entries int)
	// Lagging: Redis is behind this instance: pending revocations are
	// queued because a write failed (err).
	Lagging func(pending int, err error)
	// Unreachable: the subscription or a resynchronisation failed, or
	// Redis did not answer a resynchronisation within the timeout
	// (ErrStalled); the replica keeps answering with what it holds. It
	// fires once per outage, on every instance.
	Unreachable func(err error)
	// Restored: Redis had lost the list (restarted empty) and this
	// instance, the one that took the restore lease, wrote back the
	// entries Redis lacked (entries may be 0: a new list, or one another
	// instance had partly restored). The other instances then read the
	// list back instead of writing it too.
	Restored func(entries int)
	// Dropped: a resynchronisation dropped the dropped oldest entries of
	// the replica to keep each kind within WithMaxEntries.
	Dropped func(dropped int)
}

// guarded returns h with each callback run under safe.Call: a panic in one
// is logged (a fixed message; the panic value may hold anything) and the
// replication goes on.
func (h Hooks) guarded(log *slog.Logger) Hooks {
	run := func(name string, f func()) {
		if safe.Call(func() error { f(); return nil }) != nil {
			log.Error("redisstore: a hook panicked; ignored", "hook", name)
		}
	}
	if f := h.Connected; f != nil {
		h.Connected = func() { run("Connected", f) }
	}
	if f := h.Resynced; f != nil {
		h.Resynced = func(n int) { run("Resynced", func() { f(n) }) }
	}
	if f := h.Lagging; f != nil {
		h.Lagging = func(n int, err error) { run("Lagging", func() { f(n, err) }) }
	}
	if f := h.Unreachable; f != nil {
		h.Unreachable = func(err error) { run("Unreachable", func() { f(err) }) }
	}
	if f := h.Restored; f != nil {
		h.Restored = func(n int) { run("Restored", func() { f(n) }) }
	}
	if f := h.Dropped; f != nil {
		h.Dropped = func(n int) { run("Dropped", func() { f(n) }) }
	}
	return h
}
