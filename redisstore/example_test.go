package redisstore_test

import (
	"context"
	"errors"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/redisstore"
)

// One list per instance, every instance on the same Redis: the verifier
// consults the local replica; revocations made anywhere reach everyone.
func ExampleNewRevocations() {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()

	revs, err := redisstore.NewRevocations(ctx, rdb, redisstore.WithResyncInterval(30*time.Second))
	if err != nil {
		log.Fatal(err) // Redis unreachable: do not start with an empty list
	}
	defer revs.Close()

	v, err := cognitojwt.New(cognitojwt.Config{
		UserPoolID:  "eu-west-1_AbC123",
		ClientIDs:   []string{"1example23456789"},
		Revocations: revs,
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = v

	// After AdminUpdateUserAttributes or AdminUserGlobalSignOut for sub:
	sub := "a1b2c3d4-5678-90ab-cdef-example11111"
	switch err := revs.RevokeSubject(ctx, sub, time.Now()); {
	case errors.Is(err, redisstore.ErrQueued):
		// In force here; the rest of the fleet learns it when Redis is back.
		log.Print(err)
	case err != nil:
		log.Fatal(err)
	}
}

// Sessions shared by every instance, for the web sign-in.
func ExampleNewSessions() {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()

	sessions := redisstore.NewSessions(rdb, redisstore.WithSessionPrefix("myapp:session:"))
	if err := sessions.Set(ctx, "session-id-from-cookie", []byte(`{"sub":"…"}`), 8*time.Hour); err != nil {
		log.Fatal(err)
	}
	value, ok, err := sessions.Get(ctx, "session-id-from-cookie")
	_, _, _ = value, ok, err
}
