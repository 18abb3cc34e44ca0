// Command chi protects a chi router with cognitojwt: the middleware on a
// route group for /api, group and scope guards on subgroups. cognitojwt's
// middleware is plain net/http, so chi takes it as it is.
//
//	go run . -issuer http://127.0.0.1:9229/local_Dev     # a local dev-issuer
//	go run . -pool eu-west-1_AbC123 -client-id 1example23456789
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

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	pool := flag.String("pool", "", "Cognito user-pool ID, such as eu-west-1_AbC123")
	issuer := flag.String("issuer", "", "issuer URL instead of the pool's, such as http://127.0.0.1:9229/local_Dev")
	clientIDs := flag.String("client-id", "local-client", "accepted app client IDs, comma-separated")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	v, err := cognitojwt.New(cognitojwt.Config{
		UserPoolID: *pool,
		Issuer:     *issuer,
		ClientIDs:  strings.Split(*clientIDs, ","),
		Logger:     logger,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "chi example:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: *addr, Handler: newRouter(v, logger), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Info("listening", "addr", "http://"+*addr, "issuer", v.Issuer())
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "chi example:", err)
		os.Exit(1)
	}
}

func newRouter(v cognitojwt.TokenVerifier, logger *slog.Logger) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })

	r.Route("/api", func(r chi.Router) {
		r.Use(cognitojwt.Middleware(v, cognitojwt.WithLogger(logger)))
		r.Get("/me", me)
		r.Get("/orders/{id}", order)
		r.With(authz.RequireAllScopes("orders/write")).Post("/orders", createOrder)

		r.Group(func(r chi.Router) {
			r.Use(authz.RequireAnyGroup("admin"))
			r.Get("/admin/users", listUsers)
			r.Delete("/admin/users/{id}", deleteUser)
		})
	})
	return r
}

func claims(r *http.Request) *cognitojwt.Claims {
	c, _ := cognitojwt.ClaimsFromContext(r.Context())
	return c
}

func me(w http.ResponseWriter, r *http.Request) {
	c := claims(r)
	writeJSON(w, http.StatusOK, map[string]any{"username": c.Username, "groups": c.Groups, "scopes": c.Scopes})
}

func order(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"order": chi.URLParam(r, "id"), "owner": claims(r).Username})
}

func createOrder(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusCreated, map[string]any{"created_by": claims(r).Username})
}

func listUsers(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"users": []string{"alice", "bob"}})
}

func deleteUser(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"deleted": chi.URLParam(r, "id"), "by": claims(r).Username})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
