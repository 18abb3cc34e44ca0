package web

// LocalPath exposes the return-to rule to the external tests.
var LocalPath = localPath

// RefreshWaiters reports how many requests wait for a refresh call, the
// one that started it included: the call runs on a goroutine of its own.
func RefreshWaiters(a *Auth) int { return int(a.flights.waiting.Load()) }
