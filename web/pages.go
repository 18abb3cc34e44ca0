package web

import (
	"html/template"
	"net/http"
)

// The pages this package renders when the app gives none of its own
// (Config.ErrorPage, Config.SignOutPage): plain, readable on a phone, and
// saying what happens next.
var pages = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:1rem/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.5rem;margin-bottom:.5rem}
button{font:inherit;padding:.5rem 1.25rem;cursor:pointer}
form a{margin-left:1rem}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
{{if .SignOut}}<form method="post"><button type="submit">Sign out</button><a href="/">Stay signed in</a></form>
{{else}}<p><a href="/">Back to the home page</a></p>
{{end}}</body>
</html>
`))

type pageData struct {
	Title, Message string
	SignOut        bool
}

func renderPage(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = pages.Execute(w, d)
}

func defaultErrorPage(w http.ResponseWriter, _ *http.Request, status int, message string) {
	renderPage(w, status, pageData{Title: http.StatusText(status), Message: message})
}

// defaultSignOutPage asks to confirm the sign-out. Its form has no action,
// so it posts back to the page itself: echoing the path would let
// "/prefix//evil.example", stripped of its prefix by a router, aim the
// form at another host.
func defaultSignOutPage(w http.ResponseWriter, _ *http.Request) {
	renderPage(w, http.StatusOK, pageData{
		Title: "Sign out",
		Message: "Signing out ends your session on this site and with the sign-in service " +
			"on this device. You will need to sign in again to come back.",
		SignOut: true,
	})
}
