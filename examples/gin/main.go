// Command gin protects a gin router with cognitojwt. A ten-line adapter,
// fromMiddleware, lets gin use the library's net/http middleware as is:
// Middleware on the /api group, RequireAnyGroup and RequireAllScopes on subgroups
// and routes. Rejections keep the library's RFC 6750 answers.
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

	"github.com/gin-gonic/gin"

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
		fmt.Fprintln(os.Stderr, "gin example:", err)
		os.Exit(2)
	}
	gin.SetMode(gin.ReleaseMode)
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
		fmt.Fprintln(os.Stderr, "gin example:", err)
		os.Exit(1)
	}
}

// fromMiddleware runs net/http middleware as a gin handler: when it lets
// the request through, the rest of the chain runs with the request it
// passed on (whose context carries the claims); when it answers itself,
// the chain stops there.
func fromMiddleware(mw func(http.Handler) http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		passed := false
		mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			passed = true
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		if !passed {
			c.Abort()
		}
	}
}

// claims returns the verified claims of the request.
func claims(c *gin.Context) *cognitojwt.Claims {
	cl, _ := cognitojwt.ClaimsFromContext(c.Request.Context())
	return cl
}

func newRouter(v cognitojwt.TokenVerifier, logger *slog.Logger) http.Handler {
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })

	api := r.Group("/api", fromMiddleware(cognitojwt.Middleware(v, cognitojwt.WithLogger(logger))))
	api.GET("/me", func(c *gin.Context) {
		cl := claims(c)
		c.JSON(http.StatusOK, gin.H{"username": cl.Username, "groups": cl.Groups, "scopes": cl.Scopes})
	})
	api.GET("/orders/:id", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"order": c.Param("id"), "owner": claims(c).Username})
	})
	api.POST("/orders", fromMiddleware(authz.RequireAllScopes("orders/write")), func(c *gin.Context) {
		c.JSON(http.StatusCreated, gin.H{"created_by": claims(c).Username})
	})

	admin := api.Group("/admin", fromMiddleware(authz.RequireAnyGroup("admin")))
	admin.GET("/users", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"users": []string{"alice", "bob"}})
	})
	admin.DELETE("/users/:id", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"deleted": c.Param("id"), "by": claims(c).Username})
	})
	return r
}
