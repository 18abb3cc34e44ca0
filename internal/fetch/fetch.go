// Package fetch gets the small documents the verifiers trust keys from (a
// user pool's JWKS, a load balancer's public key): one bounded GET with a
// client that refuses redirects off the host or down from https, the rule
// that allows plain http only to loopback, the keyed single-flight with
// cooldown below everything that fetches or refreshes (Group), the one
// shape of both verifiers' key sources over it (Source), and the log
// records every fetch leaves.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Get fetches target and returns the body of a 200 answer of at most
// maxSize bytes, and the status of any answer. what names the document in
// errors. Errors never carry the URL: where it holds a token's kid, the
// kid must not reach logs through them.
func Get(ctx context.Context, client *http.Client, target, accept, what string, maxSize int64) (body []byte, status int, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("%s request: bad URL", what)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := client.Do(req)
	if err != nil {
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, 0, fmt.Errorf("%s request: %w", what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Drain a little, so that the connection can be reused, but never
		// read what a hostile server keeps sending.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, resp.StatusCode, fmt.Errorf("%s endpoint answered HTTP %d", what, resp.StatusCode)
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxSize+1))
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("reading %s: %w", what, err)
	}
	if int64(len(body)) > maxSize {
		return nil, resp.StatusCode, fmt.Errorf("%s larger than %d bytes", what, maxSize)
	}
	return body, resp.StatusCode, nil
}

// Client returns the client fetches use: c, or one bounded by timeout, in
// both cases refusing more than three redirects and redirects that leave
// the original host or drop TLS.
func Client(c *http.Client, timeout time.Duration) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	} else {
		out.Timeout = timeout
	}
	next := out.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("too many redirects")
		}
		orig := via[0].URL
		if req.URL.Host != orig.Host || (orig.Scheme == "https" && req.URL.Scheme != "https") {
			return errors.New("redirect to another host or scheme refused")
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &out
}

// CheckURL allows https anywhere and plain http only to loopback, where
// local test issuers run.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q: plain http is allowed only to loopback", raw)
	}
	return fmt.Errorf("%q: scheme must be https", raw)
}

// IsLoopback reports whether host is "localhost" or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Call is one fetch that any number of callers may wait on. The fetching
// goroutine sets Val and Err, then calls Finish; waiters read them once
// Done is closed.
type Call[T any] struct {
	done chan struct{}
	Val  T
	Err  error
}

// NewCall returns a Call under way.
func NewCall[T any]() *Call[T] { return &Call[T]{done: make(chan struct{})} }

// Done is closed when the fetch has finished.
func (c *Call[T]) Done() <-chan struct{} { return c.done }

// Finish publishes Val and Err to the waiters. It is called once.
func (c *Call[T]) Finish() { close(c.done) }

// Log records a finished fetch: Warn when it failed, Info otherwise.
// what names the document ("JWKS"); url is where it came from, for
// templated URLs the template, never a kid; attrs follow on success.
func Log(logger *slog.Logger, what, url string, status int, elapsed time.Duration, err error, attrs ...any) {
	if logger == nil {
		return
	}
	if err != nil {
		logger.Warn("cognitojwt: "+what+" fetch failed", "url", url, "status", status, "duration", elapsed, "error", err)
		return
	}
	logger.Info("cognitojwt: "+what+" fetched", append([]any{"url", url, "status", status, "duration", elapsed}, attrs...)...)
}
