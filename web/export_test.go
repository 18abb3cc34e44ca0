package web

// LocalPath exposes the return-to rule to the external tests.
var LocalPath = localPath

// RefreshWaiters reports how many requests wait for another's refresh.
func RefreshWaiters(a *Auth) int { return int(a.flights.waiting.Load()) }
