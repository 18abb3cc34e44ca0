package cognitolocal

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The developer guide's "Customizing hosted UI (classic) branding",
// Specifying CSS customizations in classic branding:
// https://docs.aws.amazon.com/cognito/latest/developerguide/hosted-ui-classic-branding.html
// lists the class names a stylesheet may use and refuses "@import,
// @supports, @page, or @media statements, or Javascript".

func TestUICSSAcceptsEveryDocumentedClass(t *testing.T) {
	var b strings.Builder
	for _, sel := range uiCSSSelectors {
		b.WriteString(sel + " { color: #123456; }\n")
	}
	require.NoError(t, checkUICSS(b.String()))
	require.Len(t, uiCSSSelectors, 18, "the guide lists 18 selectors")
	// A selector list, comments, a string holding braces, and nothing at all.
	require.NoError(t, checkUICSS(".label-customizable, .legalText-customizable { font-weight: 600 } /* } */"))
	require.NoError(t, checkUICSS(`.submitButton-customizable { font-family: "a}b{c" }`))
	require.NoError(t, checkUICSS(""))
	require.NoError(t, checkUICSS("  /* only a comment */ "))
}

func TestUICSSRefusals(t *testing.T) {
	for name, css := range map[string]string{
		"undocumented class":         ".modal-content { color: red }",
		"element selector":           "body { color: red }",
		"descendant of a class":      ".banner-customizable img { color: red }",
		"undocumented pseudo-class":  ".label-customizable:hover { color: red }",
		"one bad selector of a list": ".label-customizable, .x { color: red }",
		"@import":                    "@import url(https://example.com/a.css);",
		"@media":                     "@media (max-width: 1px) { .label-customizable { color: red } }",
		"@supports":                  "@supports (display: grid) { .label-customizable { color: red } }",
		"@page":                      "@page { margin: 1cm }",
		"@font-face":                 "@font-face { font-family: x }",
		"javascript URL":             ".banner-customizable { background: url(JavaScript:alert(1)) }",
		"expression()":               ".banner-customizable { width: expression(alert(1)) }",
		"end of the style element":   ".label-customizable { color: red } </style><script>alert(1)</script>",
		"end of the style, upper":    ".label-customizable { color: red } </STYLE >",
		"HTML comment":               ".label-customizable { color: red } <!--",
		"nested block":               ".label-customizable { .x { color: red } }",
		"unclosed rule":              ".label-customizable { color: red",
		"unclosed comment":           ".label-customizable { color: red } /*",
		"unclosed string":            `.label-customizable { font-family: "x }`,
		"declarations without rule":  "color: red;",
		"stray brace":                "} .label-customizable { color: red }",
	} {
		err := checkUICSS(css)
		require.Error(t, err, name)
		var e *Error
		require.ErrorAs(t, err, &e, name)
		require.Equal(t, codeInvalidParameter, e.Code, name)
		require.True(t, strings.HasPrefix(e.Message, "CSS: "), name)
	}
}

func TestUICSSNamesTheRefusedSelector(t *testing.T) {
	err := checkUICSS(".modal-content { color: red }")
	require.ErrorContains(t, err, `".modal-content"`)
	require.ErrorContains(t, err, ".passwordCheck-notValid-customizable")
}

// A checked stylesheet can hold "<" only in a string or a comment; the
// page writes it as a CSS escape, so no tag can start there.
func TestPageCSSEscapesLessThan(t *testing.T) {
	css := `.legalText-customizable { font-family: "<b>" }`
	require.NoError(t, checkUICSS(css))
	require.NotContains(t, pageCSS(css), "<")
	require.Contains(t, pageCSS(css), `\3c b>`)
}
