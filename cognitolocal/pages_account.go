package cognitolocal

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// The Managed Login pages of accounts: sign-up, its confirmation by code
// (/confirm, and /confirmUser for the link a confirmation email
// carries), a new code (/resendcode), and password reset
// (/forgotPassword, /confirmForgotPassword). They run the JSON API's
// operations for the client of the authorization request; a confidential
// client's SECRET_HASH is the page's to compute, as Cognito's own pages
// need none.

// secretHashFor is the SECRET_HASH of username for c, empty for a public
// client.
func (c *AppClient) secretHashFor(username string) string {
	if c.ClientSecret == "" {
		return ""
	}
	return computeSecretHash(c.ClientSecret, username, c.ClientID)
}

// computeSecretHash is base64(HMAC-SHA256(secret, username+clientID)).
func computeSecretHash(secret, username, clientID string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// attributeLabels name the standard attributes a sign-up form asks for.
var attributeLabels = map[string]string{
	"email": "Email address", "phone_number": "Phone number", "given_name": "Given name", "family_name": "Family name",
	"middle_name": "Middle name", "name": "Name", "nickname": "Nickname", "preferred_username": "Preferred username",
	"birthdate": "Birth date (YYYY-MM-DD)", "gender": "Gender", "address": "Address", "locale": "Locale",
	"picture": "Picture URL", "profile": "Profile URL", "website": "Website", "zoneinfo": "Time zone", "updated_at": "Updated at",
}

// signUpFields are the attributes the pool requires, each a field under
// its own name; the attribute a username stands for is not asked twice.
func (p *Pool) signUpFields(values url.Values) []formField {
	s := p.conf()
	var out []formField
	for _, name := range s.Required {
		if containsString(s.UsernameAttributes, name) {
			continue
		}
		f := formField{Name: name, Label: attributeLabels[name], Type: "text", Autocomplete: "on", Value: values.Get(name)}
		f.Label = cmp.Or(f.Label, name)
		switch name {
		case "email":
			f.Type, f.Autocomplete = "email", "email"
		case "phone_number":
			f.Type, f.Autocomplete = "tel", "tel"
		case "given_name", "family_name", "name":
			f.Autocomplete = strings.ReplaceAll(name, "_", "-")
		}
		out = append(out, f)
	}
	return out
}

// signUpPage shows the sign-up form (GET) or signs the user up (POST)
// and asks for the code sent. A pool that allows no self sign-up says so.
func (p *Pool) signUpPage(w http.ResponseWriter, r *http.Request) {
	req, q, ok := p.pageRequest(w, r)
	if !ok {
		return
	}
	d := p.basePage(req, q, "/signup", "Create an account")
	if !p.AllowsSignUp() {
		p.showLogin(w, req, q, "", "SignUp is not permitted for this user pool", "")
		return
	}
	if r.Method == http.MethodGet {
		d.Fields = p.signUpFields(nil)
		p.render(w, "signup", d)
		return
	}
	if !readForm(w, r) {
		return
	}
	f := r.PostForm
	username := f.Get("username")
	in := &signUpInput{ClientID: req.client.ClientID, SecretHash: req.client.secretHashFor(username), Username: username, Password: f.Get("password")}
	for _, field := range p.signUpFields(nil) {
		if v := f.Get(field.Name); v != "" {
			in.UserAttributes = append(in.UserAttributes, attribute{Name: field.Name, Value: v})
		}
	}
	out, err := p.signUp(r.Context(), in)
	if err != nil {
		d.Username, d.Error, d.Fields = username, errorText(err), p.signUpFields(f)
		p.render(w, "signup", d)
		return
	}
	if out.UserConfirmed {
		p.showLogin(w, req, q, username, "", "Your account is ready. Sign in to continue.")
		return
	}
	c := p.basePage(req, q, "/confirm", "Confirm your account")
	c.Username, c.ResendURL = username, resendURL(q, username)
	if out.CodeDeliveryDetails != nil {
		c.Destination = out.CodeDeliveryDetails.Destination
	}
	p.render(w, "confirm", c)
}

func resendURL(q url.Values, username string) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	v.Set("username", username)
	return pageURL("/resendcode", v)
}

// confirmPage takes the code of a sign-up: the form (GET, POST), or the
// link of a confirmation email (GET with user_name and
// confirmation_code). A confirmed user is sent to sign in.
func (p *Pool) confirmPage(w http.ResponseWriter, r *http.Request) {
	req, q, ok := p.pageRequest(w, r)
	if !ok {
		return
	}
	raw := r.URL.Query()
	username, code := raw.Get("username"), ""
	if raw.Get("user_name") != "" {
		username, code = raw.Get("user_name"), raw.Get("confirmation_code")
	}
	if r.Method == http.MethodPost {
		if !readForm(w, r) {
			return
		}
		username, code = r.PostForm.Get("username"), r.PostForm.Get("code")
	}
	d := p.basePage(req, q, "/confirm", "Confirm your account")
	d.Username, d.ResendURL = username, resendURL(q, username)
	if code == "" {
		p.render(w, "confirm", d)
		return
	}
	_, err := p.confirmSignUp(r.Context(), &confirmSignUpInput{
		ClientID: req.client.ClientID, SecretHash: req.client.secretHashFor(username), Username: username, ConfirmationCode: code,
	})
	if err != nil {
		d.Error = errorText(err)
		p.render(w, "confirm", d)
		return
	}
	p.showLogin(w, req, q, username, "", "Your account is confirmed. Sign in to continue.")
}

// resendCodePage sends a new sign-up code and asks for it.
func (p *Pool) resendCodePage(w http.ResponseWriter, r *http.Request) {
	req, q, ok := p.pageRequest(w, r)
	if !ok {
		return
	}
	username := r.URL.Query().Get("username")
	d := p.basePage(req, q, "/confirm", "Confirm your account")
	d.Username, d.ResendURL = username, resendURL(q, username)
	out, err := p.resendConfirmationCode(r.Context(), &resendConfirmationCodeInput{
		ClientID: req.client.ClientID, SecretHash: req.client.secretHashFor(username), Username: username,
	})
	switch {
	case err != nil:
		d.Error = errorText(err)
	case out.CodeDeliveryDetails != nil:
		d.Notice, d.Destination = "We sent a new code.", out.CodeDeliveryDetails.Destination
	}
	p.render(w, "confirm", d)
}

// forgotPasswordPage asks for the username (GET) and sends a reset code
// (POST), then asks for the code and the new password.
func (p *Pool) forgotPasswordPage(w http.ResponseWriter, r *http.Request) {
	req, q, d, ok := p.formPage(w, r, "/forgotPassword", "Forgot your password?", "forgot")
	if !ok {
		return
	}
	username := r.PostForm.Get("username")
	out, err := p.forgotPassword(r.Context(), &forgotPasswordInput{
		ClientID: req.client.ClientID, SecretHash: req.client.secretHashFor(username), Username: username,
	})
	if err != nil {
		d.Username, d.Error = username, errorText(err)
		p.render(w, "forgot", d)
		return
	}
	c := p.basePage(req, q, "/confirmForgotPassword", "Reset your password")
	c.Username = username
	if out.CodeDeliveryDetails != nil {
		c.Destination = out.CodeDeliveryDetails.Destination
	}
	p.render(w, "reset", c)
}

// confirmForgotPasswordPage takes the code and the new password.
func (p *Pool) confirmForgotPasswordPage(w http.ResponseWriter, r *http.Request) {
	req, q, d, ok := p.formPage(w, r, "/confirmForgotPassword", "Reset your password", "reset")
	if !ok {
		return
	}
	f := r.PostForm
	username := f.Get("username")
	_, err := p.confirmForgotPassword(r.Context(), &confirmForgotPasswordInput{
		ClientID: req.client.ClientID, SecretHash: req.client.secretHashFor(username), Username: username,
		ConfirmationCode: f.Get("code"), Password: f.Get("password"),
	})
	if err != nil {
		d.Username, d.Error = username, errorText(err)
		p.render(w, "reset", d)
		return
	}
	p.showLogin(w, req, q, username, "", "Your password is changed. Sign in with the new one.")
}

// formPage opens a page that shows its form on GET, filled with the
// username the query names, and acts on the form on POST. ok is false
// when the request has been answered: the form shown, the authorization
// request refused or the form unreadable; otherwise r.PostForm is read.
func (p *Pool) formPage(w http.ResponseWriter, r *http.Request, path, heading, form string) (req authRequest, q url.Values, d pageData, ok bool) {
	req, q, ok = p.pageRequest(w, r)
	if !ok {
		return req, q, d, false
	}
	d = p.basePage(req, q, path, heading)
	if r.Method == http.MethodGet {
		d.Username = r.URL.Query().Get("username")
		p.render(w, form, d)
		return req, q, d, false
	}
	return req, q, d, readForm(w, r)
}
