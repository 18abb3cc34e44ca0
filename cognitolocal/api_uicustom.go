package cognitolocal

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	_ "image/jpeg" // DecodeConfig of a JPEG logo
	_ "image/png"  // and of a PNG one
	"maps"
	"net/http"
	"strings"
	"time"
)

// The JSON API operations on the classic hosted UI's branding:
// SetUICustomization and GetUICustomization. A pool keeps one default
// customization (ClientId ALL, or none) and one per app client, which
// replaces the default for that client; each is a stylesheet (uicss.go)
// and a logo. The pool's pages apply the one of the client they serve
// (pages.go), and the logo is served at the ImageUrl answered.

// uiAllClients keys the pool's default customization.
const uiAllClients = "ALL"

// maxLogoBytes is the developer guide's "The size of the logo image file
// must not exceed 100 KB" (hosted-ui-classic-branding), read as 100 KiB.
const maxLogoBytes = 100 << 10

// maxUIRequest is the guide's "the request that sets your UI
// customization must not exceed 135 KB in size", counted as the CSS and
// the logo's Base64, the request's members.
const maxUIRequest = 135 << 10

// uiCustomization is a customization as the pool keeps it.
type uiCustomization struct {
	CSS string `json:"css,omitempty"`
	// Image is the logo and ImageType its media type, image/png or
	// image/jpeg.
	Image     []byte    `json:"image,omitempty"`
	ImageType string    `json:"imageType,omitempty"`
	Version   string    `json:"version"`
	Created   time.Time `json:"created"`
	Modified  time.Time `json:"modified"`
}

// uiCustomizationType is UICustomizationType. An empty one is what
// GetUICustomization answers when nothing applies: Terraform's
// aws_cognito_user_pool_ui_customization reads an empty struct as none.
type uiCustomizationType struct {
	UserPoolID       string `json:"UserPoolId,omitempty"`
	ClientID         string `json:"ClientId,omitempty"`
	ImageURL         string `json:"ImageUrl,omitempty"`
	CSS              string `json:"CSS,omitempty"`
	CSSVersion       string `json:"CSSVersion,omitempty"`
	LastModifiedDate epoch  `json:"LastModifiedDate,omitempty"`
	CreationDate     epoch  `json:"CreationDate,omitempty"`
}

type uiCustomizationOutput struct {
	UICustomization uiCustomizationType `json:"UICustomization"`
}

type setUICustomizationInput struct {
	UserPoolID string  `json:"UserPoolId"`
	ClientID   string  `json:"ClientId"`
	CSS        *string `json:"CSS"`
	// ImageFile is a blob: Base64 in JSON, decoded by encoding/json (an
	// invalid one is a SerializationException).
	ImageFile []byte `json:"ImageFile"`
}

type getUICustomizationInput struct {
	UserPoolID string `json:"UserPoolId"`
	ClientID   string `json:"ClientId"`
}

// uiKey is the customization a ClientId names: ALL (or none) the pool's
// default, else an app client of the pool.
func (p *Pool) uiKey(clientID string) (string, error) {
	if clientID == "" || clientID == uiAllClients {
		return uiAllClients, nil
	}
	if _, ok := p.AppClient(clientID); !ok {
		return "", errClientNotFound
	}
	return clientID, nil
}

// checkLogo checks ImageFile: a PNG or JPEG of at most 100 KB, as the
// developer guide asks ("Choose a PNG, JPG, or JPEG file"), that decodes.
// It returns the image's media type.
func checkLogo(b []byte) (string, error) {
	if len(b) > maxLogoBytes {
		return "", apiErr(codeInvalidParameter, "ImageFile: the logo must not exceed 100 KB.")
	}
	kind := http.DetectContentType(b)
	if kind != "image/png" && kind != "image/jpeg" {
		return "", apiErr(codeInvalidParameter, "ImageFile: the logo must be a PNG or JPEG image.")
	}
	if _, _, err := image.DecodeConfig(bytes.NewReader(b)); err != nil {
		return "", apiErr(codeInvalidParameter, "ImageFile: the logo is not a readable PNG or JPEG image.")
	}
	return kind, nil
}

// setUICustomization sets, replaces or (with neither CSS nor ImageFile)
// removes the customization ClientId names. CSS and logo are set
// together: a request with one only leaves the customization without the
// other ("You can't set CSS and logo customization separately"). The
// pool must have a domain, as the API reference says.
func (p *Pool) setUICustomization(_ context.Context, in *setUICustomizationInput) (*uiCustomizationOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	key, err := p.uiKey(in.ClientID)
	if err != nil {
		return nil, err
	}
	css := ""
	if in.CSS != nil {
		css = *in.CSS
	}
	if len(css)+base64.StdEncoding.EncodedLen(len(in.ImageFile)) > maxUIRequest {
		return nil, apiErr(codeInvalidParameter, "request parameters too large: the CSS and the Base64 logo must not exceed 135 KB.")
	}
	if err := checkUICSS(css); err != nil {
		return nil, err
	}
	kind := ""
	if len(in.ImageFile) > 0 {
		if kind, err = checkLogo(in.ImageFile); err != nil {
			return nil, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := *p.conf()
	if s.Domain == nil && s.CustomDomain == nil {
		return nil, apiErr(codeInvalidParameter, "There has to be an existing domain associated with this user pool.")
	}
	s.UICustomizations = maps.Clone(s.UICustomizations)
	out := &uiCustomizationOutput{UICustomization: uiCustomizationType{UserPoolID: p.poolID, ClientID: key}}
	if css == "" && kind == "" {
		delete(s.UICustomizations, key)
		p.settings.Store(&s)
		return out, nil
	}
	now := p.now()
	c := &uiCustomization{CSS: css, Image: in.ImageFile, ImageType: kind, Version: now.UTC().Format("20060102150405"), Created: now, Modified: now}
	if old := s.UICustomizations[key]; old != nil {
		c.Created = old.Created
	}
	if s.UICustomizations == nil {
		s.UICustomizations = map[string]*uiCustomization{}
	}
	s.UICustomizations[key] = c
	p.settings.Store(&s)
	out.UICustomization = p.uiCustomizationType(key, c)
	return out, nil
}

// getUICustomization answers the customization that applies to ClientId:
// the client's own, else the pool's default (answered with ClientId ALL),
// else an empty UICustomization.
func (p *Pool) getUICustomization(_ context.Context, in *getUICustomizationInput) (*uiCustomizationOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	key, err := p.uiKey(in.ClientID)
	if err != nil {
		return nil, err
	}
	key, c := p.uiCustomizationFor(key)
	if c == nil {
		return &uiCustomizationOutput{}, nil
	}
	return &uiCustomizationOutput{UICustomization: p.uiCustomizationType(key, c)}, nil
}

// dropUICustomization removes a deleted app client's customization, so
// that its logo is no longer served nor its branding saved; p.mu is held.
func (p *Pool) dropUICustomization(clientID string) {
	s := *p.conf()
	if s.UICustomizations[clientID] == nil {
		return
	}
	s.UICustomizations = maps.Clone(s.UICustomizations)
	delete(s.UICustomizations, clientID)
	p.settings.Store(&s)
}

// uiCustomizationFor is the customization that applies to the client
// key names, and the key it is kept under; nil when none does.
func (p *Pool) uiCustomizationFor(key string) (string, *uiCustomization) {
	m := p.conf().UICustomizations
	if c := m[key]; c != nil {
		return key, c
	}
	if c := m[uiAllClients]; c != nil {
		return uiAllClients, c
	}
	return "", nil
}

func (p *Pool) uiCustomizationType(key string, c *uiCustomization) uiCustomizationType {
	t := uiCustomizationType{
		UserPoolID: p.poolID, ClientID: key, CSS: c.CSS, CSSVersion: c.Version,
		LastModifiedDate: epochOf(c.Modified), CreationDate: epochOf(c.Created),
	}
	if len(c.Image) > 0 {
		t.ImageURL = p.baseURL + logoPath(p.poolID, key, c)
	}
	return t
}

// logoPath is where the service serves a customization's logo, shaped as
// Cognito's ImageUrl (POOL/CLIENT/VERSION/assets/images/image.jpg): the
// version changes with each SetUICustomization, so a page never shows a
// logo from before.
func logoPath(poolID, key string, c *uiCustomization) string {
	ext := "png"
	if c.ImageType == "image/jpeg" {
		ext = "jpg"
	}
	return "/" + poolID + "/" + key + "/" + c.Version + "/assets/images/image." + ext
}

// serveLogo answers GET or HEAD of a logo's path, reporting whether the
// path was one: a logo is public, as Cognito's ImageUrl is.
func (s *Service) serveLogo(w http.ResponseWriter, r *http.Request) bool {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(parts) != 6 || parts[3] != "assets" || parts[4] != "images" {
		return false
	}
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
		return true
	}
	p, ok := s.Pool(parts[0])
	if !ok {
		http.NotFound(w, r)
		return true
	}
	c := p.conf().UICustomizations[parts[1]]
	// The media type is checked again: a state file edited by hand must
	// not have the service answer HTML at its own origin.
	if c == nil || len(c.Image) == 0 || (c.ImageType != "image/png" && c.ImageType != "image/jpeg") || r.URL.Path != logoPath(p.poolID, parts[1], c) {
		http.NotFound(w, r)
		return true
	}
	h := w.Header()
	h.Set("Content-Type", c.ImageType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(c.Image)
	return true
}
