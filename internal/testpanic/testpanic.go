// Package testpanic holds what tests use to inject panics into code the
// module runs on goroutines of its own.
package testpanic

import (
	"net/http"
	"sync/atomic"
)

// Transport panics on every request while Panics is set, as a bug in a
// caller's RoundTripper would, and passes the others to
// http.DefaultTransport.
type Transport struct{ Panics atomic.Bool }

// RoundTrip implements http.RoundTripper.
func (p *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if p.Panics.Load() {
		panic("transport bug")
	}
	return http.DefaultTransport.RoundTrip(r)
}
