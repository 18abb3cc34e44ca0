package redisstore_test

import (
	"context"
	"errors"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/redisstore"
	"github.com/cognitojwt/cognitojwt/web"
)

// One list per instance, every instance on the same Redis: the verifier
// consults the local replica; revocations made anywhere reach everyone.
func ExampleNewRevocations() {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()

	revs, err := redisstore.NewRevocations(ctx, rdb,
		// A revoke call without a deadline waits at most this long; a
		// resync unanswered this long reports Redis as stalled.
		redisstore.WithTimeout(time.Second),
		redisstore.WithHooks(redisstore.Hooks{
			Unreachable: func(err error) { log.Printf("ALERT revocations: %v", err) }, // ErrStalled when it hangs
		}))
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
	// Tokens from earlier seconds are refused; the client's refresh right
	// after this passes (the rule is at the second, as iat is).
	switch err := revs.RevokeSubject(ctx, sub, time.Now()); {
	case errors.Is(err, redisstore.ErrQueued):
		// In force here; the rest of the fleet learns it when Redis is back.
		log.Print(err)
	case err != nil:
		log.Fatal(err)
	}
}

// Sessions shared by every instance, for the web sign-in: the web package
// seals each session before the store sees it, and bounds every call with
// Config.StoreTimeout.
func ExampleNewSessions() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()

	auth, err := web.New(web.Config{
		Domain:      "https://auth.example.com",
		ClientID:    "1example23456789",
		RedirectURL: "https://app.example.com/callback",
		LogoutURL:   "https://app.example.com/",
		Verify:      cognitojwt.Config{UserPoolID: "eu-west-1_AbC123"},
		Keys:        [][]byte{web.NewKey()}, // the same keys on every instance
		Store:       redisstore.NewSessions(rdb, redisstore.WithSessionPrefix("myapp:session:")),
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = auth
}
