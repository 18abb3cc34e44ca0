package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/redisstore"
	"github.com/cognitojwt/cognitojwt/redisstore/internal/measure"
	"github.com/cognitojwt/cognitojwt/web"
)

// webSessions are the clients and sessions of the web measurement.
const webSessions, webClientsPerSession = 8, 4

// webPages signs users in to a site whose sessions live in Redis (web.Config.
// Store through redisstore.Sessions, go-redis default options), then has
// several clients per session load a page in a loop while the server is
// stopped (SIGSTOP) for cfg.stall in the middle. Tokens are due for a
// refresh every 2 s, so sessions refresh while loaded.
func webPages(ctx context.Context, w io.Writer, cfg config, res *results) error {
	srv, err := startServer(false)
	if err != nil {
		return err
	}
	defer srv.Stop()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), DisableIdentity: true})
	defer rdb.Close()
	pool, err := cognitolocal.Start("127.0.0.1:0", cognitolocal.Config{})
	if err != nil {
		return err
	}
	defer pool.Close()
	var refreshes atomic.Int64
	mux := http.NewServeMux()
	site := httptest.NewServer(mux)
	defer site.Close()
	client, err := pool.CreateAppClient(cognitolocal.AppClient{ClientName: "web", AllowedOAuthFlows: []string{"code"},
		ExplicitAuthFlows: []string{"ALLOW_REFRESH_TOKEN_AUTH"}, AllowedOAuthScopes: []string{"openid"},
		CallbackURLs: []string{site.URL + "/callback"}, LogoutURLs: []string{site.URL + "/"}, AccessTokenValidity: 5 * time.Minute, IDTokenValidity: 5 * time.Minute})
	if err != nil {
		return err
	}
	counting := &http.Client{Timeout: 10 * time.Second, Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/oauth2/token") && r.Body != nil {
			b, _ := io.ReadAll(r.Body)
			if strings.Contains(string(b), "grant_type=refresh_token") {
				refreshes.Add(1)
			}
			r.Body = io.NopCloser(strings.NewReader(string(b)))
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	auth, err := web.New(web.Config{Domain: pool.Endpoint(), ClientID: client.ClientID, RedirectURL: site.URL + "/callback", LogoutURL: site.URL + "/",
		Scopes: []string{"openid"}, Verify: cognitojwt.Config{Issuer: pool.Issuer()}, Keys: [][]byte{web.NewKey()},
		Store: redisstore.NewSessions(rdb), RefreshBefore: 5*time.Minute - 2*time.Second, HTTPClient: counting})
	if err != nil {
		return err
	}
	mux.Handle("GET /login", auth.Login())
	mux.Handle("GET /callback", auth.Callback())
	mux.Handle("GET /page", auth.Require(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })))
	var browsers []*http.Client
	for i := range webSessions {
		name := fmt.Sprint("user", i)
		if _, err := pool.CreateUser(name, "Passw0rd!"+name, nil); err != nil {
			return err
		}
		b, err := signIn(site.URL, pool.Endpoint(), name, "Passw0rd!"+name)
		if err != nil {
			return err
		}
		browsers = append(browsers, b)
	}
	refreshes.Store(0)
	var (
		mu       sync.Mutex
		times    []time.Duration
		statuses = map[int]int{}
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	for _, b := range browsers {
		for range webClientsPerSession {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stop.Load() {
					start := time.Now()
					resp, err := b.Get(site.URL + "/page")
					d := time.Since(start)
					status := 0
					if err == nil {
						status = resp.StatusCode
						_, _ = io.Copy(io.Discard, resp.Body)
						_ = resp.Body.Close()
					}
					mu.Lock()
					times, statuses[status] = append(times, d), statuses[status]+1
					mu.Unlock()
				}
			}()
		}
	}
	run := 2*cfg.stall + 2*time.Second
	time.Sleep(time.Second)
	if err := srv.Pause(); err != nil {
		return err
	}
	time.Sleep(cfg.stall)
	if err := srv.Resume(); err != nil {
		return err
	}
	time.Sleep(run - cfg.stall - time.Second)
	stop.Store(true)
	wg.Wait()
	slices.Sort(times)
	if len(times) == 0 {
		return errors.New("no page request completed")
	}
	res.webLongest = times[len(times)-1]
	fmt.Fprintln(w, "### Web pages under load with a stall")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%d sessions in Redis (web.Config.Store, redisstore.Sessions, go-redis default options, StoreTimeout default), %d clients each loading a page in a loop for %s; the server stopped for %s after 1 s; tokens due for a refresh every 2 s.\n\n",
		webSessions, webClientsPerSession, run, cfg.stall)
	fmt.Fprintln(w, "| requests | 200 | 503 | other | p50 | p99 | longest request | refresh grants (token endpoint) |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- |")
	other := len(times) - statuses[200] - statuses[503]
	fmt.Fprintf(w, "| %d | %d | %d | %d | %s | %s | %s | %d for %d sessions over %s |\n\n", len(times), statuses[200], statuses[503], other,
		measure.Ms(measure.Percentile(times, 50)), measure.Ms(measure.Percentile(times, 99)), measure.Ms(res.webLongest), refreshes.Load(), webSessions, run)
	return nil
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)

// signIn opens a page of the site as a browser would, fills in the local
// pool's sign-in form, and returns the browser holding the session.
func signIn(site, pool, username, password string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	b := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := b.Get(site + "/page")
	if err != nil {
		return nil, err
	}
	form, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	m := formAction.FindSubmatch(form)
	if m == nil || !strings.HasPrefix(resp.Request.URL.String(), pool) {
		return nil, errors.New("the pool showed no sign-in form")
	}
	action, err := resp.Request.URL.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		return nil, err
	}
	resp, err = b.PostForm(action.String(), url.Values{"username": {username}, "password": {password}})
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/page" {
		return nil, fmt.Errorf("sign-in ended on %s with %d", resp.Request.URL.Path, resp.StatusCode)
	}
	return b, nil
}
