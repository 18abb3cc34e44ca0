package cognitolocal

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// The JSON API operations on user pools and their schema.

type schemaAttribute struct {
	Name                       string `json:"Name"`
	AttributeDataType          string `json:"AttributeDataType"`
	Mutable                    *bool  `json:"Mutable"`
	StringAttributeConstraints *struct {
		MinLength string `json:"MinLength"`
		MaxLength string `json:"MaxLength"`
	} `json:"StringAttributeConstraints"`
}

type addCustomAttributesInput struct {
	UserPoolID       string            `json:"UserPoolId"`
	CustomAttributes []schemaAttribute `json:"CustomAttributes"`
}

// addCustomAttributes declares custom attributes. Names are given without
// the custom: prefix, as in Cognito; Mutable defaults to true.
func (p *Pool) addCustomAttributes(_ context.Context, in *addCustomAttributesInput) (*empty, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	if len(in.CustomAttributes) == 0 {
		return nil, apiErr(codeInvalidParameter, "CustomAttributes must not be empty.")
	}
	var attrs []*customAttribute
	for _, s := range in.CustomAttributes {
		name := strings.TrimPrefix(s.Name, "custom:")
		if name == "" || len(name) > 20 {
			return nil, apiErr(codeInvalidParameter, "Custom attribute names must be 1 to 20 characters.")
		}
		a := &customAttribute{Name: "custom:" + name, DataType: s.AttributeDataType, Mutable: s.Mutable == nil || *s.Mutable}
		if a.DataType == "" {
			a.DataType = "String"
		}
		if !slices.Contains([]string{"String", "Number", "DateTime", "Boolean"}, a.DataType) {
			return nil, apiErr(codeInvalidParameter, "Invalid AttributeDataType.")
		}
		if c := s.StringAttributeConstraints; c != nil {
			a.MinLen, _ = strconv.Atoi(c.MinLength)
			a.MaxLen, _ = strconv.Atoi(c.MaxLength)
		}
		attrs = append(attrs, a)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range attrs {
		if p.schema[a.Name] != nil {
			return nil, apiErr(codeInvalidParameter, "Existing attribute already has name "+a.Name+".")
		}
	}
	for _, a := range attrs {
		p.schema[a.Name] = a
	}
	return &empty{}, nil
}
