package cognitolocal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/fetch"
)

// Server is a Pool served on a loopback address.
type Server struct {
	*Pool
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// Start listens on addr, which must be a loopback address ("127.0.0.1:0"
// picks a free port), sets cfg.BaseURL to it and serves a new Pool there,
// to requests whose Host header names a loopback address
// (RequireLoopbackHost). Call Close when done.
func Start(addr string, cfg Config) (*Server, error) {
	ln, err := Listen(addr)
	if err != nil {
		return nil, err
	}
	cfg.BaseURL = "http://" + ln.Addr().String()
	p, err := New(cfg)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s := &Server{Pool: p, ln: ln, done: make(chan struct{})}
	s.srv = &http.Server{Handler: RequireLoopbackHost(p), ReadHeaderTimeout: 10 * time.Second}
	// Not guarded: net/http recovers a handler's panic per connection,
	// and Serve runs nothing else of ours.
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Listen listens on addr, which must be a loopback address ("127.0.0.1:0"
// picks a free port): a pool answers sign-ups and signs in any user it
// holds, with no AWS signature checked, so it must not be reachable from
// elsewhere. It is for programs that serve a pool behind a handler of
// their own; Start uses it.
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("cognitolocal: address: %w", err)
	}
	if !fetch.IsLoopback(host) {
		return nil, errors.New("cognitolocal: the pool listens on loopback addresses only: anyone who reaches it can sign in as any user")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cognitolocal: listen: %w", err)
	}
	return ln, nil
}

// URL returns the address served, "http://127.0.0.1:PORT": the pool's
// BaseURL.
func (s *Server) URL() string { return s.Endpoint() }

// Close stops serving, waiting up to 5 seconds for requests under way.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = s.srv.Close()
	}
	<-s.done
	return err
}
