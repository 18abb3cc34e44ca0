// Command echo protects an echo router with cognitojwt. Echo runs net/http
// middleware through echo.WrapMiddleware, so the library's Middleware
// guards the /api group and RequireAnyGroup / RequireAllScopes guard subgroups
// and routes, with the library's RFC 6750 answers.
//
//	go run . -issuer http://127.0.0.1:9229/local_Dev     # a local dev-issuer
//	go run . -pool eu-west-1_AbC123 -client-id 1example23456789
package main

import (
	"context"
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

	"github.com/labstack/echo/v4"

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
		fmt.Fprintln(os.Stderr, "echo example:", err)
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
		fmt.Fprintln(os.Stderr, "echo example:", err)
		os.Exit(1)
	}
}

// claims returns the verified claims of the request.
func claims(c echo.Context) *cognitojwt.Claims {
	cl, _ := cognitojwt.ClaimsFromContext(c.Request().Context())
	return cl
}

func newRouter(v cognitojwt.TokenVerifier, logger *slog.Logger) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })

	api := e.Group("/api", echo.WrapMiddleware(cognitojwt.Middleware(v, cognitojwt.WithLogger(logger))))
	api.GET("/me", func(c echo.Context) error {
		cl := claims(c)
		return c.JSON(http.StatusOK, map[string]any{"username": cl.Username, "groups": cl.Groups, "scopes": cl.Scopes})
	})
	api.GET("/orders/:id", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]any{"order": c.Param("id"), "owner": claims(c).Username})
	})
	api.POST("/orders", func(c echo.Context) error {
		return c.JSON(http.StatusCreated, map[string]any{"created_by": claims(c).Username})
	}, echo.WrapMiddleware(authz.RequireAllScopes("orders/write")))

	admin := api.Group("/admin", echo.WrapMiddleware(authz.RequireAnyGroup("admin")))
	admin.GET("/users", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]any{"users": []string{"alice", "bob"}})
	})
	admin.DELETE("/users/:id", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]any{"deleted": c.Param("id"), "by": claims(c).Username})
	})
	return e
}
