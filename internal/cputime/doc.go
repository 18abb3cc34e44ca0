// Package cputime reads the process's CPU time for the benchmarks of
// every package in this module. Unlike wall time it barely moves when
// other programs load the machine, which keeps the benchmarks' quotients
// (x-floor-cpu, x-cold-cpu, cpu-ns/op) steady on a shared host.
package cputime
