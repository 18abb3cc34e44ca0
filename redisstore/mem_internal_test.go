package redisstore

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkReplicaMemory reports the bytes a replica holds per entry
// (36-character identifiers, as Cognito's jti and origin_jti are).
func BenchmarkReplicaMemory(b *testing.B) {
	const n = 100_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%036d", i)
	}
	var before, after runtime.MemStats
	for range b.N {
		runtime.GC()
		runtime.ReadMemStats(&before)
		r := newReplica()
		for i, id := range ids {
			r.add(entry{kind: kindJTI, id: id, moment: int64(i)})
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/entry")
		runtime.KeepAlive(r)
	}
}
