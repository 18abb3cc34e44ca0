package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt/redisstore"
	"github.com/cognitojwt/cognitojwt/redisstore/redisserver"
)

// Redis Cluster and Sentinel, with real redis-server processes: three
// Cluster masters, and a master, a replica and a Sentinel.

func startNode(t *testing.T, cfg redisserver.Config) *redisserver.Server {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	srv, err := redisserver.Start(cfg)
	if errors.Is(err, redisserver.ErrNotInstalled) {
		t.Skip("SKIPPING: these tests need a real redis-server and none is installed (apt-get install redis-server)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, _ := net.SplitHostPort(addr)
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// startCluster runs three masters sharing the 16384 slots.
func startCluster(t *testing.T) []*redisserver.Server {
	t.Helper()
	ctx := context.Background()
	var nodes []*redisserver.Server
	for range 3 {
		nodes = append(nodes, startNode(t, redisserver.Config{Args: []string{
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "3000",
		}}))
	}
	for i, n := range nodes {
		c := newClient(t, n.Addr(), "setup")
		lo, hi := i*16384/3, (i+1)*16384/3-1
		if err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err(); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			if err := newClient(t, nodes[0].Addr(), "setup").Do(ctx, "CLUSTER", "MEET", "127.0.0.1", portOf(t, n.Addr())).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitClusterOK(t, nodes)
	return nodes
}

func waitClusterOK(t *testing.T, nodes []*redisserver.Server) {
	t.Helper()
	for _, n := range nodes {
		c := newClient(t, n.Addr(), "setup")
		eventually(t, "the cluster is up", func() bool {
			info, err := c.ClusterInfo(context.Background()).Result()
			return err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_known_nodes:3")
		})
	}
}

func clusterClient(t *testing.T, nodes []*redisserver.Server) *redis.ClusterClient {
	t.Helper()
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.Addr())
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, DisableIdentity: true,
		DialTimeout: 500 * time.Millisecond, MaxRedirects: 8})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// In Redis Cluster, when the node that holds the list restarts empty,
// every instance notices at once (its subscription is on that node), one
// restores the list, and a new instance loads all of it.
func TestClusterNodeRestartedEmptyIsRestored(t *testing.T) {
	nodes := startCluster(t)
	ctx := context.Background()
	const instances, entries = 3, 300
	var restorers atomic.Int32
	var fleet []*redisstore.Revocations
	for range instances {
		fleet = append(fleet, newStore(t, clusterClient(t, nodes), redisstore.WithResyncInterval(never),
			redisstore.WithHooks(redisstore.Hooks{Restored: func(int) { restorers.Add(1) }})))
	}
	for i := range entries {
		if err := fleet[i%instances].RevokeFamily(ctx, fmt.Sprint("family-", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range fleet {
		eventually(t, fmt.Sprint("instance ", i, " holds the list"), func() bool { return r.Len() == entries })
	}
	slot, err := newClient(t, nodes[0].Addr(), "admin").ClusterKeySlot(ctx, "{cognitojwt:revocations}:f").Result()
	if err != nil {
		t.Fatal(err)
	}
	holder := nodes[slot*3/16384]
	if n, err := newClient(t, holder.Addr(), "admin").ZCard(ctx, "{cognitojwt:revocations}:f").Result(); err != nil || n != entries {
		t.Fatalf("the node of slot %d holds %d entries (%v)", slot, n, err)
	}
	restorers.Store(0)
	if err := holder.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := holder.Restart(); err != nil { // same node id and slots, no data
		t.Fatal(err)
	}
	waitClusterOK(t, nodes)
	admin := newClient(t, holder.Addr(), "admin")
	eventually(t, "the restarted node holds the list again", func() bool {
		n, err := admin.ZCard(ctx, "{cognitojwt:revocations}:f").Result()
		return err == nil && n == entries
	})
	eventually(t, "an instance finished the restore", func() bool { return restorers.Load() > 0 })
	if got := restorers.Load(); got != 1 {
		t.Errorf("%d instances restored the list, want one", got)
	}
	late := newStore(t, clusterClient(t, nodes))
	if late.Len() != entries {
		t.Errorf("a new instance loaded %d entries, want %d", late.Len(), entries)
	}
	// The fleet still replicates through the restarted node.
	if err := late.RevokeJTI(ctx, "after"); err != nil {
		t.Fatal(err)
	}
	for i, r := range fleet {
		eventually(t, fmt.Sprint("instance ", i, " hears a revocation made after the restart"), func() bool {
			return r.Revoked(claims("s", "after", "f", time.Now()))
		})
	}
}

// With Sentinel, a failover to a replica loses no acknowledged
// revocation: what the replica had not received yet is written back by
// the instances, which notice that Redis went back to an older state.
func TestSentinelFailoverLosesNoRevocation(t *testing.T) {
	ctx := context.Background()
	master := startNode(t, redisserver.Config{})
	replica := startNode(t, redisserver.Config{Args: []string{"--replicaof", "127.0.0.1", strconv.Itoa(portOf(t, master.Addr()))}})
	sentinel := startNode(t, redisserver.Config{Sentinel: []string{
		"sentinel monitor list 127.0.0.1 " + strconv.Itoa(portOf(t, master.Addr())) + " 1",
		"sentinel down-after-milliseconds list 500",
		"sentinel failover-timeout list 2000",
	}})
	eventually(t, "the replica is in sync", func() bool {
		info, err := newClient(t, replica.Addr(), "admin").Info(ctx, "replication").Result()
		return err == nil && strings.Contains(info, "master_link_status:up")
	})
	failover := func() *redis.Client {
		c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "list", SentinelAddrs: []string{sentinel.Addr()},
			DisableIdentity: true, DialTimeout: 500 * time.Millisecond})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	a := newStore(t, failover(), redisstore.WithRetryInterval(100*time.Millisecond))
	b := newStore(t, failover(), redisstore.WithRetryInterval(100*time.Millisecond))
	const n = 200
	var acked []string
	for i := range n {
		id := fmt.Sprint("jti-", i)
		if err := a.RevokeJTI(ctx, id); err == nil {
			acked = append(acked, id)
		}
	}
	if err := master.Kill(); err != nil { // the replica may miss the last writes
		t.Fatal(err)
	}
	var after []string
	for i := range 20 {
		id := fmt.Sprint("during-", i)
		err := b.RevokeJTI(ctx, id)
		if err != nil && !errors.Is(err, redisstore.ErrQueued) {
			t.Fatal(err)
		}
		after = append(after, id)
	}
	promoted := newClient(t, replica.Addr(), "admin")
	eventually(t, "the replica was promoted", func() bool {
		info, err := promoted.Info(ctx, "replication").Result()
		return err == nil && strings.Contains(info, "role:master")
	})
	all := append(acked, after...)
	eventually(t, "the new master holds every revocation", func() bool {
		for _, id := range all {
			if _, err := promoted.ZScore(ctx, "{cognitojwt:revocations}:j", id).Result(); err != nil {
				return false
			}
		}
		return true
	})
	late := newStore(t, failover())
	for _, id := range all {
		if !late.Revoked(claims("s", id, "f", time.Now())) {
			t.Fatalf("%s lost in the failover", id)
		}
	}
}
