package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// devServer adds to the pools what only a development server has: POST
// /mint, a short help page, a state file, the Host check and a log of
// Managed Login requests.
type devServer struct {
	svc  *cognitolocal.Service
	pool *cognitolocal.Pool // the default pool: /mint's
	log  *log.Logger
	// stateFile, when set, holds every pool's state across restarts.
	stateFile string
	saving    sync.Mutex
}

// loadState loads the state file, if there is one yet.
func (s *devServer) loadState() error {
	f, err := os.Open(s.stateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("opening the state file: %w", err)
	}
	defer f.Close()
	if err := s.svc.LoadState(f); err != nil {
		return fmt.Errorf("state file %s: %w (delete it, or give another --state-file, to start afresh)", s.stateFile, err)
	}
	return nil
}

// saveState writes the pools' state to the state file so that it survives
// a crash at any moment: the document goes to a temporary file, which is
// synced to the disk, then renamed over the state file, and the directory
// is synced so that the rename lasts. The file always holds a whole state,
// the previous or the new one. It holds client secrets, signing keys and
// password hashes, hence mode 0600. The pools call it after every change
// and before the answer (cognitolocal.Service.SetSave).
func (s *devServer) saveState() error {
	if s.stateFile == "" {
		return nil
	}
	s.saving.Lock()
	defer s.saving.Unlock()
	dir := filepath.Dir(s.stateFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the state file's directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".dev-issuer-state-*")
	if err != nil {
		return fmt.Errorf("saving the state: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = s.svc.SaveState(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.stateFile)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("saving the state: %w", err)
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (s *devServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A web page whose name was rebound to 127.0.0.1 must not administer
	// the pools, obtain tokens or read messages. cognitolocal's own rule
	// decides, so that the dev-issuer lets through exactly the public
	// documents a pool does (GET or HEAD of /PoolID/.well-known/NAME);
	// /mint answers its refusal in its own JSON.
	if r.URL.Path == "/mint" && !loopbackHost(r.Host) {
		writeMintError(w, http.StatusForbidden, "the Host header must name a loopback address")
		return
	}
	cognitolocal.RequireLoopbackHost(http.HandlerFunc(s.serve)).ServeHTTP(w, r)
}

// serve answers a request whose Host passed the loopback rule.
func (s *devServer) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/mint":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeMintError(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		s.mint(w, r)
	case r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "cognitojwt dev-issuer\n\nissuer:   %s\njwks:     %s\napi:      POST / (X-Amz-Target: AWSCognitoIdentityProviderService.*)\nlogin:    /oauth2/authorize\noutbox:   GET /local/outbox (the codes and invitations the pool would have sent)\nmint:     POST /mint (username, groups, scopes, attributes, claims, trigger_claims, client_id, token_use, lifetime, machine)\n",
			s.pool.Issuer(), s.pool.JWKSURL())
	default:
		if !cognitolocal.IsManagedLoginPath(r.URL.Path) {
			s.svc.ServeHTTP(w, r)
			return
		}
		lw := &loggedWriter{ResponseWriter: w, log: func(status int) {
			// The client ID names the app; the other values (codes, state,
			// PKCE, passwords) stay out of the log.
			client := r.URL.Query().Get("client_id")
			if client == "" && r.PostForm != nil {
				client = r.PostForm.Get("client_id")
			}
			s.log.Printf("managed login: %s %s client_id=%q: %d", r.Method, r.URL.Path, client, status)
		}}
		s.svc.ServeHTTP(lw, r)
		lw.logOnce(http.StatusOK)
	}
}

// loggedWriter logs a request's line once its status is known, before
// the answer leaves: whoever reads the answer can then read the line.
type loggedWriter struct {
	http.ResponseWriter
	log    func(status int)
	logged bool
}

func (l *loggedWriter) logOnce(status int) {
	if !l.logged {
		l.logged = true
		l.log(status)
	}
}

func (l *loggedWriter) WriteHeader(code int) {
	l.logOnce(code)
	l.ResponseWriter.WriteHeader(code)
}

func (l *loggedWriter) Write(b []byte) (int, error) {
	l.logOnce(http.StatusOK)
	return l.ResponseWriter.Write(b)
}
