package cognitolocal

import (
	"fmt"
	"strings"
)

// The CSS of the classic hosted UI's branding (SetUICustomization). The
// developer guide ("Customizing hosted UI (classic) branding", Specifying
// CSS customizations in classic branding) lets a stylesheet style a fixed
// set of classes, and refuses @import, @supports, @page and @media
// statements and JavaScript. The pool refuses every other selector, every
// at-rule and every script-bearing value, so that what it accepts is what
// Cognito would apply; and it refuses "</", which would end the page's
// <style> element and let the stylesheet write HTML.

// uiCSSSelectors are the selectors the developer guide lists, exactly.
var uiCSSSelectors = []string{
	".background-customizable",
	".banner-customizable",
	".errorMessage-customizable",
	".idpButton-customizable",
	".idpButton-customizable:hover",
	".idpDescription-customizable",
	".inputField-customizable",
	".inputField-customizable:focus",
	".label-customizable",
	".legalText-customizable",
	".logo-customizable",
	".passwordCheck-valid-customizable",
	".passwordCheck-notValid-customizable",
	".redirect-customizable",
	".socialButton-customizable",
	".submitButton-customizable",
	".submitButton-customizable:hover",
	".textDescription-customizable",
}

// uiCSSScript are the values that run script in some browser: the guide's
// "or Javascript", as a URL or an old expression() or binding.
var uiCSSScript = []string{"javascript:", "vbscript:", "expression(", "-moz-binding", "behavior:"}

func errCSS(format string, args ...any) error {
	return apiErr(codeInvalidParameter, "CSS: "+fmt.Sprintf(format, args...))
}

// checkUICSS checks a stylesheet of SetUICustomization: rules whose
// selectors are among uiCSSSelectors, with declarations only.
func checkUICSS(css string) error {
	if strings.Contains(css, "</") || strings.Contains(css, "<!--") {
		return errCSS(`the stylesheet must not hold "</" or "<!--", which would end the page's <style> element.`)
	}
	css, err := stripCSSComments(css)
	if err != nil {
		return err
	}
	lower := strings.ToLower(css)
	for _, s := range uiCSSScript {
		if strings.Contains(lower, s) {
			return errCSS("the hosted UI refuses JavaScript in a stylesheet (%s).", s)
		}
	}
	for rest := css; ; {
		rest = strings.TrimSpace(rest)
		if rest == "" {
			return nil
		}
		if rest[0] == '@' {
			return errCSS("at-rules such as @import, @supports, @page and @media are not allowed; style the hosted UI's classes only.")
		}
		open := strings.IndexAny(rest, "{};")
		if open < 0 || rest[open] != '{' {
			return errCSS("a rule must be a selector followed by declarations in braces.")
		}
		for _, sel := range strings.Split(rest[:open], ",") {
			if sel = strings.TrimSpace(sel); !containsString(uiCSSSelectors, sel) {
				return errCSS("the selector %q is not one the hosted UI lets you style; the allowed are %s.", clip(sel, 64), strings.Join(uiCSSSelectors, ", "))
			}
		}
		end, err := declarationsEnd(rest[open+1:])
		if err != nil {
			return err
		}
		rest = rest[open+1+end+1:]
	}
}

// declarationsEnd finds the "}" that closes a rule's declarations,
// stepping over quoted strings; a nested block is refused.
func declarationsEnd(s string) (int, error) {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{':
			return 0, errCSS("nested blocks are not allowed; a rule holds declarations only.")
		case c == '}':
			return i, nil
		}
	}
	return 0, errCSS("a rule's declarations are not closed with \"}\".")
}

// stripCSSComments removes /* comments */ outside strings.
func stripCSSComments(css string) (string, error) {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(css); i++ {
		c := css[i]
		switch {
		case quote != 0 && c == '\\' && i+1 < len(css):
			b.WriteByte(c)
			i++
			c = css[i]
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == 0 && c == '/' && strings.HasPrefix(css[i:], "/*"):
			end := strings.Index(css[i+2:], "*/")
			if end < 0 {
				return "", errCSS("a comment is not closed with \"*/\".")
			}
			i += 2 + end + 1
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(c)
	}
	if quote != 0 {
		return "", errCSS("a string is not closed.")
	}
	return b.String(), nil
}

// clip shortens s to n bytes for a message.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// pageCSS is a checked stylesheet as a page embeds it: every "<" written
// as the CSS escape \3c, so that whatever a checked stylesheet holds, no
// HTML tokenizer finds a tag in it (the check refuses "</" already; this
// is the second wall).
func pageCSS(css string) string {
	return strings.ReplaceAll(css, "<", `\3c `)
}
