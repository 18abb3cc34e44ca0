package cognitojwt

import (
	"net"
	"strings"
)

// isLoopback reports whether host names this machine: only there may a
// JWKS or issuer URL use plain http.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
