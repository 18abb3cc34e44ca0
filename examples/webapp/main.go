// Command webapp is a small server-rendered app behind Cognito's Managed
// Login, using cognitojwt/web.
//
//	go run ./examples/webapp [-addr 127.0.0.1:8080]
//
// starts an in-process local user pool with two users, alice (password
// Passw0rd!alice, group admin) and bob (Passw0rd!bob, no group), prints
// the URL and serves until interrupted. With -issuer, -domain, -client-id
// and -client-secret it runs against a real user pool instead (register
// http://localhost:8080/callback and http://localhost:8080/ with the app
// client and pass -url http://localhost:8080).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/cognitojwt/cognitojwt/examples/webapp/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := app.Run(ctx, os.Args[1:], os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "webapp:", err)
		os.Exit(1)
	}
}
