package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagSet is a command's flags and the help its --help prints.
type flagSet struct {
	*flag.FlagSet
	help func()
}

// newFlagSet returns a flag set whose --help prints the command's usage to
// stdout and whose errors are left to run to report, briefly.
func newFlagSet(e *env, name, synopsis, description string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError)}
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.help = func() {
		w := e.stdout
		fmt.Fprintf(w, "Usage: cognitojwt %s [flags]", name)
		if synopsis != "" {
			fmt.Fprintf(w, " %s", synopsis)
		}
		fmt.Fprintf(w, "\n\n%s\n", strings.TrimSpace(description))
		var listed bool
		fs.VisitAll(func(f *flag.Flag) {
			if !listed {
				fmt.Fprintf(w, "\nFlags:\n")
				listed = true
			}
			kind, usage := flag.UnquoteUsage(f)
			dashes := "--"
			if len(f.Name) == 1 {
				dashes = "-"
			}
			fmt.Fprintf(w, "  %s%s", dashes, f.Name)
			if kind != "" {
				fmt.Fprintf(w, " %s", kind)
			}
			fmt.Fprintf(w, "\n      %s", strings.ReplaceAll(usage, "\n", "\n      "))
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0s" {
				fmt.Fprintf(w, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(w)
		})
		fmt.Fprintf(w, "\nExit codes: 0 success, 1 token rejected or undecodable, or operation refused\nby the pool, 2 usage error, 3 keys unavailable, network, file or port error.\n")
	}
	return fs
}

// parseArgs parses flags wherever they appear among the arguments, so that
// "verify TOKEN --pool X" works like "verify --pool X TOKEN". A "--" ends
// the flags; everything after it is an argument.
func parseArgs(fs *flagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.help()
				return nil, err
			}
			return nil, usageErrorf("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// parseNoArgs parses the flags of a command that takes no argument.
func parseNoArgs(fs *flagSet, args []string) error {
	positional, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageErrorf("unexpected argument %q", positional[0])
	}
	return nil
}

// parseOneArg parses the flags and returns the one argument they leave,
// named name in usage errors; hint follows "missing NAME". More arguments
// are refused by count, never quoted: a stray one may be a token.
func parseOneArg(fs *flagSet, args []string, name, hint string) (string, error) {
	positional, err := parseArgs(fs, args)
	if err != nil {
		return "", err
	}
	switch len(positional) {
	case 0:
		return "", usageErrorf("missing %s%s", name, hint)
	case 1:
		return positional[0], nil
	}
	return "", usageErrorf("expected one %s argument, got %d", name, len(positional))
}

// listFlag collects a flag given several times and/or as a comma-separated
// list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

// pairFlag collects repeated NAME=VALUE flags in order.
type pairFlag []pair

type pair struct{ name, value string }

func (p *pairFlag) String() string {
	parts := make([]string, len(*p))
	for i, kv := range *p {
		parts[i] = kv.name + "=" + kv.value
	}
	return strings.Join(parts, ",")
}

func (p *pairFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("%q is not NAME=VALUE", v)
	}
	*p = append(*p, pair{strings.TrimSpace(name), value})
	return nil
}

// values returns the pairs as claims, each VALUE read by claimValue; nil
// when there are none.
func (p pairFlag) values() map[string]any {
	if len(p) == 0 {
		return nil
	}
	m := make(map[string]any, len(p))
	for _, kv := range p {
		m[kv.name] = claimValue(kv.value)
	}
	return m
}
