// Command cors serves an API that a browser application on another origin
// calls with a Cognito access token, with github.com/rs/cors in front.
//
// The order of the handlers is the point:
//
//	rs/cors → http.ServeMux → cognitojwt.Middleware per route → guard → handler
//
// CORS goes outermost, so that it answers every preflight (which browsers
// send without credentials) and adds its headers to every answer, 401 and
// 403 included, which the browser application can then read. The
// middleware goes on the routes, inside the mux, so that unknown paths
// still get 404 and wrong methods 405 rather than 401.
//
//	go run . -issuer http://127.0.0.1:9229/local_Dev -origin http://localhost:5173
//	go run . -pool eu-west-1_AbC123 -client-id 1example23456789 -origin https://app.example.com
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

	"github.com/rs/cors"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	pool := flag.String("pool", "", "Cognito user-pool ID, such as eu-west-1_AbC123")
	issuer := flag.String("issuer", "", "issuer URL instead of the pool's, such as http://127.0.0.1:9229/local_Dev")
	clientIDs := flag.String("client-id", "local-client", "accepted app client IDs, comma-separated")
	origins := flag.String("origin", "http://localhost:5173", "origins of the browser application, comma-separated")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	v, err := cognitojwt.New(cognitojwt.Config{
		UserPoolID: *pool,
		Issuer:     *issuer,
		ClientIDs:  strings.Split(*clientIDs, ","),
		Logger:     logger,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "cors example:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: *addr, Handler: newHandler(v, strings.Split(*origins, ",")), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Info("listening", "addr", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "cors example:", err)
		os.Exit(1)
	}
}

// newHandler is the whole API: CORS around the mux, the middleware on each
// protected route.
func newHandler(v cognitojwt.TokenVerifier, origins []string) http.Handler {
	protect := cognitojwt.Middleware(v)
	mux := http.NewServeMux()
	mux.Handle("GET /api/me", protect(http.HandlerFunc(me)))
	mux.Handle("POST /api/orders", protect(authz.RequireAllScopes("orders/write")(http.HandlerFunc(createOrder))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })

	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		// The token travels in Authorization, not in a cookie, so the
		// browser needs no credentials mode and the header must be allowed.
		AllowedHeaders: []string{"Authorization", "Content-Type"},
		// Lets the browser application read why a call was refused.
		ExposedHeaders: []string{"WWW-Authenticate"},
		MaxAge:         600,
	}).Handler(mux)
}

func me(w http.ResponseWriter, r *http.Request) {
	c, _ := cognitojwt.ClaimsFromContext(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"sub": c.Subject, "username": c.Username})
}

func createOrder(w http.ResponseWriter, r *http.Request) {
	c, _ := cognitojwt.ClaimsFromContext(r.Context())
	writeJSON(w, http.StatusCreated, map[string]any{"created_by": c.Username})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
