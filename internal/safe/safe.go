// Package safe runs code on goroutines the module starts for a request or
// a background job, so that a panic there (a bug, or one in a function the
// caller supplied: an HTTP transport, a hook, a store) fails that one
// piece of work closed instead of ending the process: net/http recovers
// panics only on a handler's own goroutine, and a panic on any other
// goroutine is fatal.
//
// The panic becomes ErrPanicked, delivered to whoever waits for the work,
// rather than re-raised in each waiter as golang.org/x/sync/singleflight
// does: the waiters are request handlers that must answer with an error,
// and a shared call's panic re-raised in all of them would turn one bad
// call into as many failed connections. The panic value is dropped, never
// put in an error: it may hold token bytes, claim values, key ids or
// session contents.
package safe

import "errors"

// ErrPanicked is the error of work that panicked.
var ErrPanicked = errors.New("the call panicked")

// Call runs f and returns its error, or ErrPanicked if f panicked.
func Call(f func() error) (err error) {
	defer func() {
		if recover() != nil {
			err = ErrPanicked
		}
	}()
	return f()
}
