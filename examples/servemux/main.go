// Command servemux is a small API protected by cognitojwt, routed with the
// method and wildcard patterns of Go 1.22's http.ServeMux and nothing else.
//
// Against a local dev-issuer (see docs/cli.md):
//
//	go run ./cmd/cognitojwt dev-issuer              # terminal 1
//	go run ./examples/servemux -issuer http://127.0.0.1:9229/local_Dev
//	curl -H "Authorization: Bearer $(go run ./cmd/cognitojwt mint --groups admin)" localhost:8080/api/admin/users
//
// Against a real user pool:
//
//	go run ./examples/servemux -pool eu-west-1_AbC123 -client-id 1example23456789
//
// Routes: GET /healthz is public; everything under /api/ needs a valid
// access token; /api/admin/ needs membership of the Cognito group "admin".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	pool := flag.String("pool", "", "Cognito user-pool ID, such as eu-west-1_AbC123")
	issuer := flag.String("issuer", "", "issuer URL instead of the pool's, such as http://127.0.0.1:9229/local_Dev")
	jwksURL := flag.String("jwks-url", "", "JWKS URL (default: issuer + /.well-known/jwks.json)")
	clientIDs := flag.String("client-id", "local-client", "accepted app client IDs, comma-separated")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, cognitojwt.Config{
		UserPoolID: *pool,
		Issuer:     *issuer,
		JWKSURL:    *jwksURL,
		ClientIDs:  strings.Split(*clientIDs, ","),
		Logger:     logger,
	}, logger); err != nil {
		fmt.Fprintln(os.Stderr, "servemux:", err)
		os.Exit(1)
	}
}

func run(addr string, cfg cognitojwt.Config, logger *slog.Logger) error {
	if cfg.UserPoolID == "" && cfg.Issuer == "" {
		return errors.New("give -pool or -issuer")
	}
	v, err := cognitojwt.New(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Fetching the keys now surfaces a wrong pool or issuer at start-up;
	// the service still starts, and the fetch is retried on demand.
	warmCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	if err := v.Warm(warmCtx); err != nil {
		logger.Warn("JWKS not available yet", "error", err)
	}
	cancel()

	srv := &http.Server{Addr: addr, Handler: newAPI(v, logger), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Info("listening", "addr", "http://"+addr, "issuer", v.Issuer())
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newAPI routes the API: public health check, authenticated /api/, and the
// admin group's /api/admin/.
func newAPI(v cognitojwt.TokenVerifier, logger *slog.Logger) http.Handler {
	admin := http.NewServeMux()
	admin.HandleFunc("GET /api/admin/users", listUsers)
	admin.HandleFunc("DELETE /api/admin/users/{id}", deleteUser)

	api := http.NewServeMux()
	api.HandleFunc("GET /api/me", me)
	api.HandleFunc("GET /api/orders/{id}", order)
	api.Handle("/api/admin/", authz.RequireAnyGroup("admin")(admin))

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	root.Handle("/api/", cognitojwt.Middleware(v, cognitojwt.WithLogger(logger))(api))
	return root
}

func me(w http.ResponseWriter, r *http.Request) {
	c, _ := cognitojwt.ClaimsFromContext(r.Context())
	writeJSON(w, map[string]any{"sub": c.Subject, "username": c.Username, "groups": c.Groups, "scopes": c.Scopes})
}

func order(w http.ResponseWriter, r *http.Request) {
	c, _ := cognitojwt.ClaimsFromContext(r.Context())
	writeJSON(w, map[string]any{"order": r.PathValue("id"), "owner": c.Username})
}

func listUsers(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{"users": []string{"alice", "bob"}})
}

func deleteUser(w http.ResponseWriter, r *http.Request) {
	c, _ := cognitojwt.ClaimsFromContext(r.Context())
	writeJSON(w, map[string]any{"deleted": r.PathValue("id"), "by": c.Username})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
