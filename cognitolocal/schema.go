package cognitolocal

import (
	"context"
	"slices"
	"strings"
)

// The pool's attribute schema: standard attributes and declared custom ones.

// standardAttributes are the OIDC attributes every user pool has.
var standardAttributes = []string{
	"address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name",
	"locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified",
	"picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo",
}

type customAttribute struct {
	Name     string `json:"name"` // with the custom: prefix
	DataType string `json:"dataType"`
	Mutable  bool   `json:"mutable"`
	MinLen   int    `json:"minLength,omitempty"`
	MaxLen   int    `json:"maxLength,omitempty"`
}

// declareLocked declares unknown custom attributes named in attrs as
// mutable strings.
func (p *Pool) declareLocked(attrs map[string]string) {
	for name := range attrs {
		if strings.HasPrefix(name, "custom:") && p.schema[name] == nil && len(name) > len("custom:") {
			p.schema[name] = &customAttribute{Name: name, DataType: "String", Mutable: true}
		}
	}
}

// checkAttributesLocked applies Cognito's rules to an attribute update:
// names in the schema, sub never written, immutable custom attributes
// written only at creation (u nil).
func (p *Pool) checkAttributesLocked(attrs map[string]string, u *user) error {
	for name, v := range attrs {
		a, err := p.writableLocked(name, u)
		if err != nil {
			return err
		}
		if len(v) > 2048 {
			return apiErr(codeInvalidParameter, "Attribute value must be at most 2048 characters.")
		}
		if a != nil && (a.MaxLen > 0 && len(v) > a.MaxLen || len(v) < a.MinLen) {
			return apiErr(codeInvalidParameter, "Attribute value does not satisfy the length constraint.")
		}
	}
	return nil
}

// writableLocked checks that attribute name may be written (or deleted):
// in the schema, not sub, and, for an existing user, not an immutable
// custom attribute. It returns the custom attribute, nil for a standard
// one.
func (p *Pool) writableLocked(name string, u *user) (*customAttribute, error) {
	if name == "sub" {
		return nil, errSubImmutable
	}
	if slices.Contains(standardAttributes, name) {
		return nil, nil
	}
	a := p.schema[name]
	if a == nil {
		return nil, errUnknownAttr
	}
	if u != nil && !a.Mutable {
		return nil, errImmutableAttr
	}
	return a, nil
}

// AddCustomAttribute declares custom attribute name (with or without the
// custom: prefix) as a String; an immutable one can be set only when a
// user is created.
func (p *Pool) AddCustomAttribute(name string, mutable bool) error {
	_, err := p.addCustomAttributes(context.Background(), &addCustomAttributesInput{
		UserPoolID:       p.poolID,
		CustomAttributes: []schemaAttribute{{Name: name, AttributeDataType: "String", Mutable: &mutable}},
	})
	return err
}
