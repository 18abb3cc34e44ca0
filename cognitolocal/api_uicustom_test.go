package cognitolocal

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Pages the tests below follow:
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SetUICustomization.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetUICustomization.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UICustomizationType.html
//   - https://docs.aws.amazon.com/cognito/latest/developerguide/hosted-ui-classic-branding.html
//     (the logo: PNG, JPG or JPEG, at most 100 KB; the CSS classes)

const (
	poolCSS   = ".submitButton-customizable { background-color: #ff9900; }"
	clientCSS = ".banner-customizable { background-color: #0000ff; }\n.label-customizable { font-weight: 700; }"
)

// testPNG is a small PNG logo.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 2))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// noisyPNG is a PNG of about 16 KB, which does not compress.
func noisyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.UintN(256))
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	require.Greater(t, b.Len(), 10000)
	return b.Bytes()
}

// brandedPool is a pool with a prefix domain, which SetUICustomization
// requires ("To use this API, your user pool must have a domain").
func brandedPool(t *testing.T) *Pool {
	t.Helper()
	p := newPool(t, Config{})
	status, out := call(t, p, "CreateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "brand"})
	require.Equal(t, http.StatusOK, status, out)
	return p
}

func setUI(t *testing.T, p http.Handler, in map[string]any) map[string]any {
	t.Helper()
	in["UserPoolId"] = DefaultPoolID
	status, out := call(t, p, "SetUICustomization", in)
	require.Equal(t, http.StatusOK, status, out)
	return out["UICustomization"].(map[string]any)
}

func getUI(t *testing.T, p http.Handler, clientID string) map[string]any {
	t.Helper()
	in := map[string]any{"UserPoolId": DefaultPoolID}
	if clientID != "" {
		in["ClientId"] = clientID
	}
	status, out := call(t, p, "GetUICustomization", in)
	require.Equal(t, http.StatusOK, status, out)
	return out["UICustomization"].(map[string]any)
}

func TestSetUICustomizationNeedsADomain(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "SetUICustomization", map[string]any{"UserPoolId": DefaultPoolID, "CSS": poolCSS},
		codeInvalidParameter, "There has to be an existing domain associated with this user pool.")
}

func TestSetUICustomizationPoolDefault(t *testing.T) {
	p := brandedPool(t)
	logo := testPNG(t)
	// ClientId omitted and ClientId ALL both name the pool's default.
	got := setUI(t, p, map[string]any{"CSS": poolCSS, "ImageFile": logo})
	require.Equal(t, DefaultPoolID, got["UserPoolId"])
	require.Equal(t, "ALL", got["ClientId"])
	require.Equal(t, poolCSS, got["CSS"])
	require.NotEmpty(t, got["CSSVersion"])
	require.Greater(t, got["CreationDate"], 0.0)
	require.Greater(t, got["LastModifiedDate"], 0.0)
	require.Regexp(t, `^`+regexp.QuoteMeta(p.Endpoint()+"/"+DefaultPoolID+"/ALL/")+`\d{14}/assets/images/image\.png$`, got["ImageUrl"])
	require.Equal(t, got, getUI(t, p, ""))
	require.Equal(t, got, getUI(t, p, "ALL"))
	// A client without its own customization gets the default, answered
	// as the default (ClientId ALL).
	require.Equal(t, got, getUI(t, p, DefaultClientID))
}

func TestSetUICustomizationClientOverridesDefault(t *testing.T) {
	p := brandedPool(t)
	setUI(t, p, map[string]any{"ClientId": "ALL", "CSS": poolCSS})
	own := setUI(t, p, map[string]any{"ClientId": DefaultClientID, "CSS": clientCSS, "ImageFile": testPNG(t)})
	require.Equal(t, DefaultClientID, own["ClientId"])
	require.Equal(t, own, getUI(t, p, DefaultClientID))
	require.Equal(t, poolCSS, getUI(t, p, "ALL")["CSS"], "the default stays")
	// Setting again replaces both: "You can't set CSS and logo
	// customization separately", so the logo goes; CreationDate stays.
	again := setUI(t, p, map[string]any{"ClientId": DefaultClientID, "CSS": poolCSS})
	require.NotContains(t, again, "ImageUrl")
	require.Equal(t, own["CreationDate"], again["CreationDate"])
}

// Terraform's aws_cognito_user_pool_ui_customization deletes with a
// request holding UserPoolId and ClientId only, then reads an empty
// UICustomization as gone.
func TestSetUICustomizationEmptyRequestClears(t *testing.T) {
	p := brandedPool(t)
	setUI(t, p, map[string]any{"ClientId": DefaultClientID, "CSS": clientCSS})
	setUI(t, p, map[string]any{"CSS": poolCSS})
	cleared := setUI(t, p, map[string]any{"ClientId": DefaultClientID})
	require.Equal(t, map[string]any{"UserPoolId": DefaultPoolID, "ClientId": DefaultClientID}, cleared)
	require.Equal(t, "ALL", getUI(t, p, DefaultClientID)["ClientId"], "the client falls back to the default")
	setUI(t, p, map[string]any{"ClientId": "ALL", "CSS": ""})
	require.Empty(t, getUI(t, p, DefaultClientID))
	require.Empty(t, getUI(t, p, "ALL"))
}

func TestSetUICustomizationRefusals(t *testing.T) {
	p := brandedPool(t)
	var gifLogo bytes.Buffer
	require.NoError(t, gif.Encode(&gifLogo, image.NewPaletted(image.Rect(0, 0, 1, 1), []color.Color{color.Black}), nil))
	logo := testPNG(t)
	big := append(append([]byte{}, logo...), make([]byte, maxLogoBytes)...)
	for name, c := range map[string]struct {
		in            map[string]any
		code, message string
	}{
		"unknown client":     {map[string]any{"ClientId": "nobody", "CSS": poolCSS}, codeResourceNotFound, "User pool client does not exist."},
		"another pool":       {map[string]any{"UserPoolId": "us-east-1_Other0", "CSS": poolCSS}, codeResourceNotFound, ""},
		"no pool":            {map[string]any{"UserPoolId": nil, "CSS": poolCSS}, codeInvalidParameter, ""},
		"client id pattern":  {map[string]any{"ClientId": "a b", "CSS": poolCSS}, codeInvalidParameter, ""},
		"undocumented class": {map[string]any{"CSS": "body { color: red }"}, codeInvalidParameter, ""},
		"style end":          {map[string]any{"CSS": "</style><script>alert(1)</script>"}, codeInvalidParameter, ""},
		"GIF logo":           {map[string]any{"ImageFile": gifLogo.Bytes()}, codeInvalidParameter, "ImageFile: the logo must be a PNG or JPEG image."},
		"text logo":          {map[string]any{"ImageFile": []byte("<svg></svg>")}, codeInvalidParameter, "ImageFile: the logo must be a PNG or JPEG image."},
		"truncated PNG":      {map[string]any{"ImageFile": logo[:20]}, codeInvalidParameter, "ImageFile: the logo is not a readable PNG or JPEG image."},
		"logo over 100 KB":   {map[string]any{"ImageFile": big}, codeInvalidParameter, "ImageFile: the logo must not exceed 100 KB."},
		"request over 135 KB": {map[string]any{"ImageFile": noisyPNG(t), "CSS": strings.Repeat(" ", 131072)}, codeInvalidParameter,
			"request parameters too large: the CSS and the Base64 logo must not exceed 135 KB."},
		"logo not Base64": {map[string]any{"ImageFile": "%%%"}, "SerializationException", ""},
	} {
		t.Run(name, func(t *testing.T) {
			in := map[string]any{"UserPoolId": DefaultPoolID}
			for k, v := range c.in {
				in[k] = v
			}
			if in["UserPoolId"] == nil {
				delete(in, "UserPoolId")
			}
			requireAPIError(t, p, "SetUICustomization", in, c.code, c.message)
			require.Empty(t, getUI(t, p, ""), "a refused request changes nothing")
		})
	}
	requireAPIError(t, p, "GetUICustomization", map[string]any{"UserPoolId": DefaultPoolID, "ClientId": "nobody"}, codeResourceNotFound, "")
	requireAPIError(t, p, "GetUICustomization", map[string]any{}, codeInvalidParameter, "")
}

func TestUICustomizationLogoServedAtImageURL(t *testing.T) {
	p := brandedPool(t)
	logo := testPNG(t)
	u, err := url.Parse(setUI(t, p, map[string]any{"ClientId": DefaultClientID, "ImageFile": logo})["ImageUrl"].(string))
	require.NoError(t, err)
	rec := serve(p, httptest.NewRequest(http.MethodGet, u.Path, nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "image/png", rec.Header().Get("Content-Type"))
	require.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
	require.Equal(t, logo, rec.Body.Bytes())
	require.Equal(t, http.StatusMethodNotAllowed, serve(p, httptest.NewRequest(http.MethodPost, u.Path, nil)).Code)
	for _, path := range []string{
		strings.Replace(u.Path, "/assets/", "0/assets/", 1), // another version
		strings.Replace(u.Path, DefaultClientID, "ALL", 1),  // no default logo
		strings.Replace(u.Path, DefaultPoolID, "us-east-1_Other0", 1),
	} {
		require.Equal(t, http.StatusNotFound, serve(p, httptest.NewRequest(http.MethodGet, path, nil)).Code, path)
	}
	// Cleared, the logo is gone.
	setUI(t, p, map[string]any{"ClientId": DefaultClientID})
	require.Equal(t, http.StatusNotFound, serve(p, httptest.NewRequest(http.MethodGet, u.Path, nil)).Code)
}

// The page's policy lets the page's two stylesheets in by their nonce,
// and the logo from the page's origin.
func TestLoginPageCarriesTheClientsBranding(t *testing.T) {
	p := brandedPool(t)
	plain := page(t, p, "/login", nil)
	require.NotContains(t, plain.Body.String(), `id="uiCustomization"`)
	require.NotContains(t, plain.Header().Get("Content-Security-Policy"), "'self'")

	got := setUI(t, p, map[string]any{"ClientId": DefaultClientID, "CSS": clientCSS, "ImageFile": testPNG(t)})
	rec := page(t, p, "/login", nil)
	body := rec.Body.String()
	csp := rec.Header().Get("Content-Security-Policy")
	m := regexp.MustCompile(`style-src 'nonce-([A-Za-z0-9_-]+)'`).FindStringSubmatch(csp)
	require.NotNil(t, m, csp)
	require.NotContains(t, csp, "unsafe-inline")
	require.Contains(t, csp, "img-src data: 'self';")
	require.Contains(t, body, `<style nonce="`+m[1]+`" id="uiCustomization">`+clientCSS+`</style>`)
	require.Equal(t, 2, strings.Count(body, `<style nonce="`+m[1]+`"`))
	imageURL, err := url.Parse(got["ImageUrl"].(string))
	require.NoError(t, err)
	require.Contains(t, body, `<img class="logo-customizable" src="`+imageURL.Path+`"`)
	// The classes the stylesheet names are on the page.
	for _, class := range []string{"banner-customizable", "label-customizable", "submitButton-customizable", "inputField-customizable", "background-customizable"} {
		require.Contains(t, body, class)
	}
	require.NotEqual(t, m[1], regexp.MustCompile(`'nonce-([A-Za-z0-9_-]+)'`).FindStringSubmatch(page(t, p, "/login", nil).Header().Get("Content-Security-Policy"))[1],
		"a nonce serves one page")
}

// A stylesheet holding "<" in a string reaches the page as \3c.
func TestLoginPageEscapesLessThanInCSS(t *testing.T) {
	p := brandedPool(t)
	setUI(t, p, map[string]any{"CSS": `.legalText-customizable { font-family: "<b>" }`})
	body := page(t, p, "/login", nil).Body.String()
	require.Contains(t, body, `font-family: "\3c b>"`)
}

func TestSetUICustomizationTakesAJPEG(t *testing.T) {
	p := brandedPool(t)
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)), nil))
	got := setUI(t, p, map[string]any{"ImageFile": b.Bytes()})
	require.True(t, strings.HasSuffix(got["ImageUrl"].(string), "/image.jpg"), got["ImageUrl"])
	u, err := url.Parse(got["ImageUrl"].(string))
	require.NoError(t, err)
	require.Equal(t, "image/jpeg", serve(p, httptest.NewRequest(http.MethodGet, u.Path, nil)).Header().Get("Content-Type"))
}

// A deleted app client's customization goes with it.
func TestDeleteUserPoolClientDropsItsUICustomization(t *testing.T) {
	p := brandedPool(t)
	c, err := p.CreateAppClient(AppClient{ClientID: "doomed"})
	require.NoError(t, err)
	u, err := url.Parse(setUI(t, p, map[string]any{"ClientId": c.ClientID, "ImageFile": testPNG(t)})["ImageUrl"].(string))
	require.NoError(t, err)
	status, out := call(t, p, "DeleteUserPoolClient", map[string]any{"UserPoolId": DefaultPoolID, "ClientId": c.ClientID})
	require.Equal(t, http.StatusOK, status, out)
	require.NotContains(t, p.conf().UICustomizations, c.ClientID)
	require.Equal(t, http.StatusNotFound, serve(p, httptest.NewRequest(http.MethodGet, u.Path, nil)).Code)
}

// A state whose logo claims another media type is not served.
func TestUICustomizationLogoServedOnlyAsAnImage(t *testing.T) {
	p := brandedPool(t)
	u, err := url.Parse(setUI(t, p, map[string]any{"ImageFile": testPNG(t)})["ImageUrl"].(string))
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))
	edited := strings.Replace(buf.String(), `"imageType": "image/png"`, `"imageType": "text/html"`, 1)
	require.True(t, edited != buf.String(), "the state names the logo's type")
	q := newPoolEmpty(t)
	require.NoError(t, q.LoadState(strings.NewReader(edited)))
	require.Equal(t, http.StatusNotFound, serve(q, httptest.NewRequest(http.MethodGet, u.Path, nil)).Code)
}

func TestUICustomizationSurvivesRestart(t *testing.T) {
	p := brandedPool(t)
	want := setUI(t, p, map[string]any{"ClientId": DefaultClientID, "CSS": clientCSS, "ImageFile": testPNG(t)})
	def := setUI(t, p, map[string]any{"CSS": poolCSS})
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))
	q := newPoolEmpty(t)
	require.NoError(t, q.LoadState(&buf))
	require.Equal(t, want, getUI(t, q, DefaultClientID))
	require.Equal(t, def, getUI(t, q, "ALL"))
	u, err := url.Parse(want["ImageUrl"].(string))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, serve(q, httptest.NewRequest(http.MethodGet, u.Path, nil)).Code)
}
