package cognitolocal

import (
	"context"
	"math"
	"slices"
	"strconv"
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
	// MinValue and MaxValue bound a Number attribute; nil: unbounded.
	MinValue *float64 `json:"minValue,omitempty"`
	MaxValue *float64 `json:"maxValue,omitempty"`
}

// checkValue applies the attribute's type and bounds to a value. Cognito
// keeps every value as a string; a Number attribute's must parse as a
// number within MinValue and MaxValue.
func (a *customAttribute) checkValue(v string) error {
	if a.MaxLen > 0 && len(v) > a.MaxLen || len(v) < a.MinLen {
		return apiErr(codeInvalidParameter, "Attributes did not conform to the schema: "+a.Name+": String length is outside the attribute's bounds")
	}
	if a.DataType != "Number" || v == "" {
		return nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return apiErr(codeInvalidParameter, "Attributes did not conform to the schema: "+a.Name+": Number must be a number")
	}
	if a.MinValue != nil && n < *a.MinValue || a.MaxValue != nil && n > *a.MaxValue {
		return apiErr(codeInvalidParameter, "Attributes did not conform to the schema: "+a.Name+": Number is outside the attribute's bounds")
	}
	return nil
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
		if v == "" && u != nil {
			// An empty value deletes the attribute: no value to check, but
			// a required attribute stays.
			if slices.Contains(p.conf().Required, name) {
				return apiErr(codeInvalidParameter, "Attributes did not conform to the schema: "+name+": The attribute is required")
			}
			continue
		}
		if a != nil {
			if err := a.checkValue(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRequiredLocked checks that the attributes of a user signing up hold
// every attribute the schema makes required. SignUp applies it;
// AdminCreateUser does not, as the developer guide's "User pool
// attributes" page says administrators may create users without them.
func (p *Pool) checkRequiredLocked(attrs map[string]string) error {
	for _, name := range p.conf().Required {
		if attrs[name] == "" {
			return apiErr(codeInvalidParameter, "Attributes did not conform to the schema: "+name+": The attribute is required")
		}
	}
	return nil
}

// deletableLocked checks that attribute name may be removed from a user:
// writable, and not required by the schema.
func (p *Pool) deletableLocked(name string, u *user) error {
	if _, err := p.writableLocked(name, u); err != nil {
		return err
	}
	if slices.Contains(p.conf().Required, name) {
		return apiErr(codeInvalidParameter, "Attributes did not conform to the schema: "+name+": The attribute is required")
	}
	return nil
}

// writableLocked checks that attribute name may be written (or deleted):
// in the schema, not sub, and, for an existing user, not an immutable
// attribute. It returns the custom attribute, nil for a standard
// one.
func (p *Pool) writableLocked(name string, u *user) (*customAttribute, error) {
	if name == "sub" {
		return nil, errSubImmutable
	}
	if slices.Contains(standardAttributes, name) {
		if u != nil && slices.Contains(p.conf().Immutable, name) {
			return nil, errImmutableAttr
		}
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
