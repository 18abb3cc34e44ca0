// Package redisstore shares cognitojwt state across a fleet of instances
// through Redis (go-redis v9): a revocation list that every instance
// honours (Revocations, a cognitojwt.RevocationList) and a store for web
// sessions (Sessions).
//
// It is a module of its own so that the core module does not depend on a
// Redis client. Revoked never waits for Redis: each instance answers from a
// local replica kept current through pub/sub and periodic
// resynchronisation; see Revocations for what happens when Redis is
// unreachable, and docs/fleet.md for the guarantees and their cost.
package redisstore
