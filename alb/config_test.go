package alb_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/alb"
)

// TestALBDefaultLeeway: by default a token whose iat is a few seconds
// ahead of the server's clock passes, as with the core verifier; a
// negative Leeway demands zero skew.
func TestALBDefaultLeeway(t *testing.T) {
	ahead := func(f *albFixture) func(map[string]any) {
		return func(p map[string]any) { p["iat"] = f.clk.Now().Add(5 * time.Second).Unix() }
	}
	f := newALBFixture(t, func(c *alb.Config) { c.Leeway = 0 })
	_, err := f.verify(f.token(nil, ahead(f)))
	require.NoError(t, err)

	strict := newALBFixture(t, func(c *alb.Config) { c.Leeway = -1 })
	_, err = strict.verify(strict.token(nil, ahead(strict)))
	requireKind(t, cognitojwt.ErrNotYetValid, err)
}

func TestALBKeyEndpointPerRegion(t *testing.T) {
	kid := "6db77464-4ac6-4968-9ec9-a6c669649ba1"
	cases := []struct {
		arn, region, want string
	}{
		{"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1", "",
			"https://public-keys.auth.elb.eu-west-1.amazonaws.com/" + kid},
		{"arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:loadbalancer/app/web/1", "ap-southeast-2",
			"https://public-keys.auth.elb.ap-southeast-2.amazonaws.com/" + kid},
		{"arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/web/1", "",
			"https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1/" + kid},
		{"arn:aws-us-gov:elasticloadbalancing:us-gov-east-1:123456789012:loadbalancer/app/web/1", "",
			"https://s3-us-gov-east-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-east-1/" + kid},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			rt := &recordingRT{}
			v, err := alb.New(alb.Config{
				ALBARNs: []string{tc.arn}, Region: tc.region, ClientIDs: []string{albClient}, Issuer: albIssuer,
				HTTPClient: &http.Client{Transport: rt},
			})
			require.NoError(t, err)
			h := map[string]any{"alg": "ES256", "kid": kid, "signer": tc.arn, "iss": albIssuer, "client": albClient, "exp": 9999999999}
			_, err = v.Verify(context.Background(), albSign(newP256(), albJSON(h), []byte(`{"sub":"x"}`)))
			requireKind(t, cognitojwt.ErrKeysUnavailable, err)
			require.Equal(t, []string{tc.want}, rt.urls)
		})
	}
}

func TestNewALBRejectsInvalidConfig(t *testing.T) {
	base := func() alb.Config {
		return alb.Config{ALBARNs: []string{albARN}, ClientIDs: []string{albClient}, Issuer: albIssuer}
	}
	east2 := "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/web/1"
	cases := map[string]func(*alb.Config){
		"no ARNs":    func(c *alb.Config) { c.ALBARNs = nil },
		"not an ARN": func(c *alb.Config) { c.ALBARNs = []string{"web"} },
		"classic ELB ARN": func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/web"}
		},
		"NLB ARN": func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/web/1"}
		},
		"bad region in ARN": func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws:elasticloadbalancing:evil.com:123456789012:loadbalancer/app/web/1"}
		},
		"bad account": func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws:elasticloadbalancing:us-east-1:1234:loadbalancer/app/web/1"}
		},
		"two regions":     func(c *alb.Config) { c.ALBARNs = append(c.ALBARNs, east2) },
		"region mismatch": func(c *alb.Config) { c.Region = "us-east-2" },
		"bad region":      func(c *alb.Config) { c.Region = "evil.example/x" },
		"China without KeyURL": func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/web/1"}
		},
		"no issuer":          func(c *alb.Config) { c.Issuer = "" },
		"empty extra issuer": func(c *alb.Config) { c.AdditionalIssuers = []string{""} },
		"no clients":         func(c *alb.Config) { c.ClientIDs = nil },
		"empty client":       func(c *alb.Config) { c.ClientIDs = []string{""} },
		"negative cache":     func(c *alb.Config) { c.KeyCacheSize = -1 },
		"KeyURL without kid": func(c *alb.Config) { c.KeyURL = "https://keys.example/" },
		"KeyURL two kids":    func(c *alb.Config) { c.KeyURL = "https://keys.example/{kid}/{kid}" },
		"KeyURL kid in host": func(c *alb.Config) { c.KeyURL = "https://{kid}.keys.example/" },
		"KeyURL kid after host": func(c *alb.Config) {
			c.KeyURL = "https://keys.example{kid}"
		},
		"KeyURL kid in query":   func(c *alb.Config) { c.KeyURL = "https://keys.example/?k={kid}" },
		"KeyURL kid mid-name":   func(c *alb.Config) { c.KeyURL = "https://keys.example/key-{kid}" },
		"KeyURL query after":    func(c *alb.Config) { c.KeyURL = "https://keys.example/{kid}?x=1" },
		"KeyURL userinfo":       func(c *alb.Config) { c.KeyURL = "https://user:pw@keys.example/{kid}" },
		"KeyURL plain http":     func(c *alb.Config) { c.KeyURL = "http://keys.example/{kid}" },
		"KeyURL other scheme":   func(c *alb.Config) { c.KeyURL = "file:///etc/{kid}" },
		"KeyURL not a template": func(c *alb.Config) { c.KeyURL = "{kid}" },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := base()
			edit(&cfg)
			_, err := alb.New(cfg)
			requireKind(t, cognitojwt.ErrInvalidConfig, err)
		})
	}
	for _, ok := range []func(*alb.Config){
		func(c *alb.Config) {},
		func(c *alb.Config) { c.Region = "us-east-1" },
		func(c *alb.Config) {
			c.ALBARNs = append(c.ALBARNs, east2)
			c.Region = ""
			c.KeyURL = "https://keys.example/{kid}"
		},
		func(c *alb.Config) { c.KeyURL = "https://keys.example/prefix/{kid}.pem" },
		func(c *alb.Config) { c.KeyURL = "http://127.0.0.1:8080/{kid}" },
		func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/web/1"}
			c.KeyURL = "https://keys.example.cn/{kid}"
		},
	} {
		cfg := base()
		ok(&cfg)
		_, err := alb.New(cfg)
		require.NoError(t, err)
	}
}
