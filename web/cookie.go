package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Browsers keep at least 4096 bytes per cookie, name, value and attributes
// together (RFC 6265 §6.1). A chunk's value stays at chunkSize so that the
// name and the attributes fit beside it with room to spare.
const (
	chunkSize = 3800
	// maxChunks bounds what a request can make the server read and
	// concatenate; 8 chunks hold tokens far larger than Cognito issues.
	maxChunks = 8
)

// cookieJar names and writes one logical cookie, split into chunks when
// its value is too long for one: "name" carries "N." followed by the first
// chunk, and "name-1" … "name-(N-1)" the rest. The dot cannot occur in
// base64url, so a single-chunk value is told apart from a chunked one.
type cookieJar struct {
	name   string
	secure bool
}

// read returns the cookie's whole value, "" when it is absent or any
// chunk is missing, and how many cookies the request carried for it.
func (j cookieJar) read(r *http.Request) (value string, count int) {
	base := r.CookiesNamed(j.name)
	if len(base) != 1 || base[0].Value == "" {
		// Two cookies of one name mean someone planted one (a sibling
		// subdomain can, without the __Host- prefix): trust neither.
		return "", len(base)
	}
	v := base[0].Value
	head, rest, chunked := strings.Cut(v, ".")
	if !chunked {
		return v, 1
	}
	n, err := strconv.Atoi(head)
	if err != nil || n < 2 || n > maxChunks {
		return "", 1
	}
	var b strings.Builder
	b.Grow(n * chunkSize)
	b.WriteString(rest)
	for i := 1; i < n; i++ {
		c := r.CookiesNamed(j.chunkName(i))
		if len(c) != 1 || c[0].Value == "" {
			return "", n
		}
		b.WriteString(c[0].Value)
	}
	return b.String(), n
}

func (j cookieJar) chunkName(i int) string { return j.name + "-" + strconv.Itoa(i) }

// write sets the cookie to value for maxAge, and deletes the chunks an
// earlier, longer value left behind (had: the count read from the request).
func (j cookieJar) write(w http.ResponseWriter, value string, maxAge time.Duration, had int) {
	secs := int(maxAge / time.Second)
	if secs <= 0 {
		secs = 1
	}
	if len(value) <= chunkSize {
		http.SetCookie(w, j.cookie(j.name, value, secs))
		j.expire(w, 1, had)
		return
	}
	n := (len(value) + chunkSize - 1) / chunkSize
	for i := range n {
		part := value[i*chunkSize : min((i+1)*chunkSize, len(value))]
		if i == 0 {
			http.SetCookie(w, j.cookie(j.name, strconv.Itoa(n)+"."+part, secs))
		} else {
			http.SetCookie(w, j.cookie(j.chunkName(i), part, secs))
		}
	}
	j.expire(w, n, had)
}

// clear deletes the cookie and the chunks the request carried.
func (j cookieJar) clear(w http.ResponseWriter, had int) {
	http.SetCookie(w, j.cookie(j.name, "", -1))
	j.expire(w, 1, had)
}

func (j cookieJar) expire(w http.ResponseWriter, from, had int) {
	for i := from; i < had && i < maxChunks; i++ {
		http.SetCookie(w, j.cookie(j.chunkName(i), "", -1))
	}
}

func (j cookieJar) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   j.secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}
