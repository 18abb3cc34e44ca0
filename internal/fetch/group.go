package fetch

import (
	"sync"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/safe"
)

// ErrPanicked is the error of a call whose fn or report panicked: the
// call fails closed for every waiter (and, from fn, is held as a failure)
// instead of ending the process, since the call runs on a goroutine of
// its own where nothing else would recover the panic.
var ErrPanicked = safe.ErrPanicked

// Group is the module's one keyed single-flight with cooldown, below
// everything that fetches or refreshes: at most one call per key runs at
// a time, every caller that asks for the key meanwhile shares it, and the
// call runs on its own goroutine, detached from any one caller's context,
// so that a caller that gives up does not fail the others. A key whose
// call failed is held for Cooldown: no new call starts for it until the
// hold ends, and askers are told why and until when, so that an endpoint
// that is down or slow is not asked again at the rate requests arrive.
//
// The zero value is ready to use, with no cooldown. Source, the one shape
// of the JWKS and ALB key sources, is built on it (key: the document); a
// session refresh or a verdict cache is the same shape (key: the session
// or token; no cooldown, or one after failures).
type Group[K comparable, V any] struct {
	// Cooldown is how long a key is held after its call failed; zero
	// holds nothing.
	Cooldown time.Duration
	// MaxHeld bounds the held keys, so that callers choosing keys cannot
	// grow the group without bound: past it, expired holds are dropped
	// and then others. Zero: unbounded.
	MaxHeld int
	// Now is the clock holds are measured with; nil is time.Now.
	Now func() time.Time

	mu    sync.Mutex
	calls map[K]*Call[V]
	held  map[K]Held
}

// Held says that a key's last call failed and when another may start.
// It is returned as an error by Do.
type Held struct {
	Until time.Time
	// Err is the failure that opened the hold.
	Err error
}

func (h *Held) Error() string {
	return "held after a failed call until " + h.Until.String() + ": " + h.Err.Error()
}

// Unwrap returns the failure that opened the hold.
func (h *Held) Unwrap() error { return h.Err }

// Do returns the call under way for key, or starts one, unless key is held
// after a failure: then the error is a *Held.
//
// Before starting a call, Do asks admit, with the group's lock held so
// that no other call for key can start meanwhile: admit may refuse with an
// error of its own (a rate limit, or a result that arrived since the
// caller last looked), which Do returns as it is, starting nothing. admit
// must not call back into g; nil admits every call.
//
// A started call runs fn, then, once the group has recorded the outcome
// (the key no longer in flight, a failure held), report, and only then
// publishes fn's result to the waiters: what report observes is what the
// next caller sees. report may be nil. A panic in fn is the call's
// failure, ErrPanicked; a panic in report makes the waiters' error
// ErrPanicked.
func (g *Group[K, V]) Do(key K, admit func() error, fn func() (V, error), report func(V, error)) (*Call[V], error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if h, ok := g.held[key]; ok {
		if g.now().Before(h.Until) {
			return nil, &h
		}
		delete(g.held, key)
	}
	if c := g.calls[key]; c != nil {
		return c, nil
	}
	if admit != nil {
		if err := admit(); err != nil {
			return nil, err
		}
	}
	if g.calls == nil {
		g.calls = map[K]*Call[V]{}
	}
	c := NewCall[V]()
	g.calls[key] = c
	go g.run(key, c, fn, report)
	return c, nil
}

// InFlight returns the call under way for key, or nil.
func (g *Group[K, V]) InFlight(key K) *Call[V] {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[key]
}

func (g *Group[K, V]) run(key K, c *Call[V], fn func() (V, error), report func(V, error)) {
	var v V
	err := safe.Call(func() (err error) {
		v, err = fn()
		return err
	})
	g.mu.Lock()
	delete(g.calls, key)
	if err != nil && g.Cooldown > 0 {
		g.hold(key, Held{Until: g.now().Add(g.Cooldown), Err: err})
	}
	g.mu.Unlock()
	if report != nil {
		if perr := safe.Call(func() error { report(v, err); return nil }); perr != nil {
			err = perr
		}
	}
	c.Val, c.Err = v, err
	c.Finish()
}

// hold records h for key, g.mu held, within MaxHeld.
func (g *Group[K, V]) hold(key K, h Held) {
	if g.held == nil {
		g.held = map[K]Held{}
	}
	if g.MaxHeld > 0 && len(g.held) >= g.MaxHeld {
		now := g.now()
		for k, old := range g.held {
			if !now.Before(old.Until) || len(g.held) >= g.MaxHeld {
				delete(g.held, k)
			}
		}
	}
	g.held[key] = h
}

func (g *Group[K, V]) now() time.Time {
	if g.Now == nil {
		return time.Now()
	}
	return g.Now()
}
