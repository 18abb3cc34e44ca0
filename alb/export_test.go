package alb

// LockKeySource takes the lock that starting or finishing a key fetch
// takes, and returns its release: tests show that known kids never wait
// for it.
func LockKeySource(v *Verifier) (unlock func()) {
	return v.keys.src.Lock()
}
