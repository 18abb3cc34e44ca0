package redisserver_test

import (
	"bufio"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt/redisstore/redisserver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// do sends one inline command and returns the first line of the reply.
func do(t *testing.T, addr, cmd string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(line)
}

func start(t *testing.T, cfg redisserver.Config) *redisserver.Server {
	t.Helper()
	srv, err := redisserver.Start(cfg)
	if errors.Is(err, redisserver.ErrNotInstalled) {
		t.Skip("SKIPPING: no redis-server installed (apt-get install redis-server)")
	}
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func TestKilledServerKeepsAcknowledgedWritesWithAppendOnly(t *testing.T) {
	srv := start(t, redisserver.Config{AppendOnly: true, Dir: t.TempDir()})
	defer srv.Stop()
	if got := do(t, srv.Addr(), "SET k v"); got != "+OK" {
		t.Fatalf("SET: %s", got)
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if got := do(t, srv.Addr(), "EXISTS k"); got != ":1" {
		t.Errorf("after SIGKILL and restart, EXISTS k = %s, want :1", got)
	}
}

func TestServerWithoutPersistenceRestartsEmpty(t *testing.T) {
	srv := start(t, redisserver.Config{})
	if got := do(t, srv.Addr(), "SET k v"); got != "+OK" {
		t.Fatalf("SET: %s", got)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if got := do(t, srv.Addr(), "EXISTS k"); got != ":0" {
		t.Errorf("EXISTS k = %s, want :0", got)
	}
	dir := srv.Dir()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Stop left the temporary directory: %v", err)
	}
	if _, err := net.DialTimeout("tcp", srv.Addr(), time.Second); err == nil {
		t.Error("the server still listens after Stop")
	}
}
