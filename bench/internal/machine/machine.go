// Package machine describes where a measurement ran, for the results it is
// printed with.
package machine

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// Describe returns the Go version, CPU model, core count and date.
func Describe() string {
	return fmt.Sprintf("Machine: %s %s/%s, %s, GOMAXPROCS %d (%d CPUs); %s",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, cpuModel(), runtime.GOMAXPROCS(0), runtime.NumCPU(),
		time.Now().UTC().Format("2006-01-02 15:04 MST"))
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if name, value, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown CPU"
}
