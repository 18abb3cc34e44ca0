// Command cognitojwt decodes and verifies Amazon Cognito user-pool tokens,
// and runs a local stand-in for a user pool so that services can be
// developed and tested offline.
//
// Install it with
//
//	go install github.com/cognitojwt/cognitojwt/cmd/cognitojwt@latest
//
// Commands:
//
//	cognitojwt decode TOKEN|-
//	cognitojwt verify --pool ID --client-id ID [--token-use access|id|any] TOKEN|-
//	cognitojwt dev-issuer [--addr 127.0.0.1:9229] [--pool local_Dev]
//	cognitojwt dev-issuer [--key-file F] [--state-file F] [--pre-token-generation URL] [--custom-attribute NAME]
//	cognitojwt mint [--username NAME] [--groups a,b] [--scopes s1,s2] [--trigger-claim k=v]
//	cognitojwt users add|list|set|groups|outbox [USERNAME] [flags]
//	cognitojwt version
//
// Run "cognitojwt COMMAND --help" for each command's flags.
//
// Exit codes:
//
//	0  success
//	1  the token was rejected (verify), cannot be decoded (decode), or the
//	   pool refused the operation (users)
//	2  usage error: unknown command or flag, missing argument, bad value
//	3  environment error: signing keys unavailable, network, files, ports
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// Exit codes, documented in the package comment and in docs/cli.md.
const (
	exitOK       = 0
	exitRejected = 1
	exitUsage    = 2
	exitEnv      = 3
)

// exitError carries the exit code a failure maps to.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func rejectedErrorf(format string, args ...any) error {
	return &exitError{code: exitRejected, err: fmt.Errorf(format, args...)}
}

func envErrorf(format string, args ...any) error {
	return &exitError{code: exitEnv, err: fmt.Errorf(format, args...)}
}

// env is what a command may touch of the outside world; tests of the
// binary drive it through the real process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

var commands []*command

func init() {
	commands = []*command{
		{"decode", "print a token's header and claims without verifying it", runDecode},
		{"verify", "verify a token against a user pool's keys", runVerify},
		{"dev-issuer", "serve a local Cognito stand-in that mints tokens", runDevIssuer},
		{"mint", "mint a token from a running dev-issuer or its key file", runMint},
		{"users", "add, list and change the users of a running dev-issuer", runUsers},
		{"version", "print the version", runVersion},
		{"help", "show help for a command", runHelp},
	}
}

const mainUsage = `cognitojwt decodes and verifies Amazon Cognito user-pool tokens, and runs a
local stand-in for a user pool for offline development.

Usage:
  cognitojwt COMMAND [flags] [arguments]

Commands:
%s
Run "cognitojwt COMMAND --help" for a command's flags.

Exit codes:
  0  success
  1  the token was rejected (verify), cannot be decoded (decode), or the
     pool refused the operation (users)
  2  usage error
  3  signing keys unavailable, network, file or port error
`

func printMainUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, b.String())
}

func main() {
	os.Exit(run(os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

func run(args []string, e *env) int {
	if len(args) == 0 {
		printMainUsage(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		printMainUsage(e.stdout)
		return exitOK
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(e.stderr, "cognitojwt: unknown command %q\nRun \"cognitojwt --help\" for the list of commands.\n", name)
		return exitUsage
	}
	err := cmd.run(e, args[1:])
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	code := exitEnv
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	fmt.Fprintf(e.stderr, "cognitojwt %s: %v\n", cmd.name, err)
	if code == exitUsage {
		fmt.Fprintf(e.stderr, "Run \"cognitojwt %s --help\" for usage.\n", cmd.name)
	}
	return code
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func runHelp(e *env, args []string) error {
	if len(args) == 0 {
		printMainUsage(e.stdout)
		return nil
	}
	cmd := lookup(args[0])
	if cmd == nil || cmd.name == "help" {
		return usageErrorf("unknown command %q", args[0])
	}
	return cmd.run(e, []string{"--help"})
}

func runVersion(e *env, args []string) error {
	fs := newFlagSet(e, "version", "", "Print the module version the binary was built from.")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	version := "(devel)"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		version = info.Main.Version
	}
	fmt.Fprintf(e.stdout, "cognitojwt %s\n", version)
	return nil
}
