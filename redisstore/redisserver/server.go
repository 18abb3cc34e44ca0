// Package redisserver runs a local redis-server process on a free loopback
// port, for the tests, load programs and examples of the redisstore module.
// It is not meant for production: it exists so that the figures this module
// claims are measured against a real Redis rather than a stand-in.
package redisserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNotInstalled: no redis-server binary was found on PATH or in the usual
// system directories.
var ErrNotInstalled = errors.New("redisserver: redis-server binary not found (install the redis-server package)")

// Config says how to run the server. The zero value runs a server without
// persistence in a fresh temporary directory.
type Config struct {
	// Dir holds the append-only file and the log. Empty: a new temporary
	// directory, removed by Stop. Reuse a Dir (and Port) to restart a server
	// on its own data.
	Dir string
	// Port to listen on, on 127.0.0.1. Zero: a free port.
	Port int
	// AppendOnly turns on the append-only file with an fsync per write, so
	// nothing the server acknowledged is lost when it is killed.
	AppendOnly bool
	// Args are further arguments: "--cluster-enabled", "yes" for a Cluster
	// node, "--replicaof", "127.0.0.1 PORT" for a replica.
	Args []string
	// Sentinel runs a Sentinel (redis-server --sentinel) instead of a data
	// server, with these lines of configuration ("sentinel monitor …").
	// Sentinel rewrites its configuration file, which lives in Dir.
	Sentinel []string
}

// Server is one running redis-server process.
type Server struct {
	cfg     Config
	tempDir bool

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Binary returns the path of the redis-server binary, or ErrNotInstalled.
func Binary() (string, error) {
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p, nil
	}
	// Debian installs it in /usr/bin, but a PATH trimmed for a service may
	// not include it.
	for _, p := range []string{"/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", ErrNotInstalled
}

// Start runs a redis-server and waits until it answers.
func Start(cfg Config) (*Server, error) {
	s := &Server{cfg: cfg}
	if s.cfg.Dir == "" {
		dir, err := os.MkdirTemp("", "redisserver-")
		if err != nil {
			return nil, err
		}
		s.cfg.Dir, s.tempDir = dir, true
	}
	if s.cfg.Port == 0 {
		port, err := freePort()
		if err != nil {
			s.removeTemp()
			return nil, err
		}
		s.cfg.Port = port
	}
	if err := s.start(); err != nil {
		s.removeTemp()
		return nil, err
	}
	return s, nil
}

// Addr is the server's "127.0.0.1:PORT".
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.cfg.Port)) }

// Dir is the server's data directory.
func (s *Server) Dir() string { return s.cfg.Dir }

// Kill ends the process with SIGKILL, as a crash would, and keeps its data
// directory so Restart can bring it back on the same data and port.
func (s *Server) Kill() error { return s.stop(syscall.SIGKILL) }

// Pause stops the process with SIGSTOP: its connections stay open and
// nothing answers, as with a server stalled by a long command, swapping or
// a frozen virtual machine. Resume ends it.
func (s *Server) Pause() error { return s.signal(syscall.SIGSTOP) }

// Resume continues a process stopped by Pause with SIGCONT.
func (s *Server) Resume() error { return s.signal(syscall.SIGCONT) }

// Pid is the process id of the running server, or 0.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

func (s *Server) signal(sig syscall.Signal) error {
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil {
		return errors.New("redisserver: not running")
	}
	return cmd.Process.Signal(sig)
}

// Restart starts the process again on the same port and data directory
// after Kill or Stop.
func (s *Server) Restart() error {
	s.mu.Lock()
	running := s.cmd != nil
	s.mu.Unlock()
	if running {
		if err := s.stop(syscall.SIGTERM); err != nil {
			return err
		}
	}
	return s.start()
}

// Stop ends the process with SIGTERM (Redis writes its data and exits) and
// removes the data directory when Start created it.
func (s *Server) Stop() error {
	err := s.stop(syscall.SIGTERM)
	s.removeTemp()
	return err
}

func (s *Server) start() error {
	bin, err := Binary()
	if err != nil {
		return err
	}
	args := []string{
		"--port", strconv.Itoa(s.cfg.Port),
		"--bind", "127.0.0.1",
		"--dir", s.cfg.Dir,
		"--logfile", filepath.Join(s.cfg.Dir, "redis.log"),
		"--daemonize", "no",
	}
	if s.cfg.Sentinel != nil {
		conf := filepath.Join(s.cfg.Dir, "sentinel.conf")
		if _, err := os.Stat(conf); errors.Is(err, os.ErrNotExist) {
			text := strings.Join(s.cfg.Sentinel, "\n") + "\n"
			if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
				return fmt.Errorf("redisserver: sentinel configuration: %w", err)
			}
		}
		args = append([]string{conf, "--sentinel"}, args...)
	} else {
		args = append(args, "--save", "")
		if s.cfg.AppendOnly {
			args = append(args, "--appendonly", "yes", "--appendfsync", "always")
		} else {
			args = append(args, "--appendonly", "no")
		}
	}
	args = append(args, s.cfg.Args...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("redisserver: start: %w", err)
	}
	done := make(chan struct{})
	// Runs only exec's Wait: nothing of a caller's that could panic.
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	if err := s.waitReady(done); err != nil {
		_ = s.stop(syscall.SIGKILL)
		return err
	}
	return nil
}

// waitReady dials until the server answers PING; the server needs a few
// milliseconds to load its data and listen.
func (s *Server) waitReady(done <-chan struct{}) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-done:
			return fmt.Errorf("redisserver: redis-server exited at start; see %s", filepath.Join(s.cfg.Dir, "redis.log"))
		default:
		}
		if ping(s.Addr()) {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("redisserver: redis-server did not answer within 15s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	buf := make([]byte, 7)
	n, _ := c.Read(buf)
	// While loading its data Redis answers -LOADING instead of +PONG.
	return string(buf[:n]) == "+PONG\r\n"
}

func (s *Server) stop(sig syscall.Signal) error {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd, s.done = nil, nil
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	// A paused server would not act on SIGTERM until continued.
	_ = cmd.Process.Signal(syscall.SIGCONT)
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
	return nil
}

func (s *Server) removeTemp() {
	if s.tempDir {
		_ = os.RemoveAll(s.cfg.Dir)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
