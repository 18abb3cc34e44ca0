package cognitolocal

import (
	"cmp"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The wire shapes of pool settings: reading CreateUserPool's and
// UpdateUserPool's settings, answering UserPoolType and SchemaAttributeType.

// settingsInput is the part of CreateUserPoolRequest and
// UpdateUserPoolRequest that changes how the pool behaves.
type settingsInput struct {
	PoolName *string `json:"PoolName"`
	Policies *struct {
		PasswordPolicy *struct {
			MinimumLength                 *int `json:"MinimumLength"`
			RequireUppercase              bool `json:"RequireUppercase"`
			RequireLowercase              bool `json:"RequireLowercase"`
			RequireNumbers                bool `json:"RequireNumbers"`
			RequireSymbols                bool `json:"RequireSymbols"`
			TemporaryPasswordValidityDays *int `json:"TemporaryPasswordValidityDays"`
		} `json:"PasswordPolicy"`
		SignInPolicy *struct {
			AllowedFirstAuthFactors []string `json:"AllowedFirstAuthFactors"`
		} `json:"SignInPolicy"`
	} `json:"Policies"`
	DeletionProtection string `json:"DeletionProtection"`
	LambdaConfig       *struct {
		PreSignUp                string `json:"PreSignUp"`
		PostConfirmation         string `json:"PostConfirmation"`
		PreAuthentication        string `json:"PreAuthentication"`
		PostAuthentication       string `json:"PostAuthentication"`
		PreTokenGeneration       string `json:"PreTokenGeneration"`
		PreTokenGenerationConfig *struct {
			LambdaVersion string `json:"LambdaVersion"`
			LambdaArn     string `json:"LambdaArn"`
		} `json:"PreTokenGenerationConfig"`
	} `json:"LambdaConfig"`
	AutoVerifiedAttributes []string        `json:"AutoVerifiedAttributes"`
	MfaConfiguration       string          `json:"MfaConfiguration"`
	SmsConfiguration       json.RawMessage `json:"SmsConfiguration"`
	AdminCreateUserConfig  *struct {
		AllowAdminCreateUserOnly bool `json:"AllowAdminCreateUserOnly"`
	} `json:"AdminCreateUserConfig"`
}

// modelledMembers are the request members the pool keeps in its own
// fields rather than in Extra. Policies, LambdaConfig and
// AdminCreateUserConfig stay in Extra too, for the members of them the
// pool does not model.
var modelledMembers = []string{
	"UserPoolId", "PoolName", "AliasAttributes", "UsernameAttributes", "UsernameConfiguration", "Schema",
	"AutoVerifiedAttributes", "MfaConfiguration", "DeletionProtection", "DeviceConfiguration", "AccountRecoverySetting",
	"UserPoolTags",
}

// parseSettings reads the settings of a CreateUserPool (create) or
// UpdateUserPool request body. Every setting the body omits has its
// default, as UpdateUserPool documents.
func parseSettings(body []byte, name string, create bool) (*poolSettings, error) {
	var in settingsInput
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &in) != nil || json.Unmarshal(body, &raw) != nil {
		return nil, apiErr("SerializationException", "The request body is not valid JSON for this operation.")
	}
	s := defaultSettings()
	s.Name = name
	if in.PoolName != nil || create {
		if in.PoolName == nil {
			return nil, apiErr(codeInvalidParameter, "Missing required parameter PoolName")
		}
		if err := checkPoolName(*in.PoolName); err != nil {
			return nil, err
		}
		s.Name = *in.PoolName
	}
	if in.Policies != nil && in.Policies.PasswordPolicy != nil {
		pp := in.Policies.PasswordPolicy
		// A policy given replaces the default whole: a class not required
		// is not required.
		s.PasswordPolicy = PasswordPolicy{
			MinimumLength: 8, RequireUppercase: pp.RequireUppercase, RequireLowercase: pp.RequireLowercase,
			RequireNumbers: pp.RequireNumbers, RequireSymbols: pp.RequireSymbols, TemporaryPasswordValidityDays: 7,
		}
		if pp.MinimumLength != nil {
			if *pp.MinimumLength < 6 || *pp.MinimumLength > 99 {
				return nil, apiErr(codeInvalidParameter, "MinimumLength must be between 6 and 99.")
			}
			s.PasswordPolicy.MinimumLength = *pp.MinimumLength
		}
		if pp.TemporaryPasswordValidityDays != nil {
			if *pp.TemporaryPasswordValidityDays < 0 || *pp.TemporaryPasswordValidityDays > 365 {
				return nil, apiErr(codeInvalidParameter, "TemporaryPasswordValidityDays must be between 0 and 365.")
			}
			s.PasswordPolicy.TemporaryPasswordValidityDays = *pp.TemporaryPasswordValidityDays
		}
	}
	if in.Policies != nil && in.Policies.SignInPolicy != nil {
		f := in.Policies.SignInPolicy.AllowedFirstAuthFactors
		if err := checkFirstAuthFactors(f); err != nil {
			return nil, err
		}
		s.FirstAuthFactors = slices.Clone(f)
	}
	switch in.DeletionProtection {
	case "", "INACTIVE":
	case "ACTIVE":
		s.DeletionProtection = true
	default:
		return nil, apiErr(codeInvalidParameter, "DeletionProtection must be ACTIVE or INACTIVE.")
	}
	if l := in.LambdaConfig; l != nil {
		switch {
		case l.PreTokenGenerationConfig != nil:
			c := l.PreTokenGenerationConfig
			if c.LambdaArn == "" || !slices.Contains([]string{"V1_0", triggerV2, triggerV3}, c.LambdaVersion) {
				return nil, apiErr(codeInvalidParameter, "PreTokenGenerationConfig needs a LambdaArn and a LambdaVersion of V1_0, V2_0 or V3_0.")
			}
			s.PreTokenLambdaARN, s.PreTokenLambdaVersion = c.LambdaArn, c.LambdaVersion
		case l.PreTokenGeneration != "":
			s.PreTokenLambdaARN, s.PreTokenLambdaVersion = l.PreTokenGeneration, "V1_0"
		}
		if s.PreTokenLambdaARN != "" && !strings.HasPrefix(s.PreTokenLambdaARN, "arn:") {
			return nil, apiErr(codeInvalidParameter, "The pre-token-generation Lambda must be given by its ARN.")
		}
		// The other triggers' ARNs stay in Extra, read from there
		// (poolSettings.lambdaARN).
		for name, arn := range map[string]string{
			lambdaPreSignUp: l.PreSignUp, lambdaPostConfirm: l.PostConfirmation,
			lambdaPreAuth: l.PreAuthentication, lambdaPostAuth: l.PostAuthentication,
		} {
			if arn != "" && !strings.HasPrefix(arn, "arn:") {
				return nil, apiErr(codeInvalidParameter, "The "+name+" Lambda must be given by its ARN.")
			}
		}
	}
	if err := s.setAutoVerified(in.AutoVerifiedAttributes); err != nil {
		return nil, err
	}
	switch in.MfaConfiguration {
	case "", "OFF":
	case "ON", "OPTIONAL":
		if create && in.SmsConfiguration == nil {
			return nil, apiErr(codeInvalidParameter, "SMS configuration is required to create a user pool with MfaConfiguration "+in.MfaConfiguration+"; turn on TOTP with SetUserPoolMfaConfig instead.")
		}
		s.MfaConfiguration = in.MfaConfiguration
	default:
		return nil, apiErr(codeInvalidParameter, "MfaConfiguration must be OFF, ON or OPTIONAL.")
	}
	if in.AdminCreateUserConfig != nil {
		s.AdminCreateOnly = in.AdminCreateUserConfig.AllowAdminCreateUserOnly
	}
	recovery, err := parseRecovery(raw["AccountRecoverySetting"])
	if err != nil {
		return nil, err
	}
	s.AccountRecovery = recovery
	devices, err := parseDeviceConfig(raw["DeviceConfiguration"])
	if err != nil {
		return nil, err
	}
	s.Devices = devices
	if s.Tags, _, err = parseTags(raw["UserPoolTags"]); err != nil {
		return nil, err
	}
	for _, m := range modelledMembers {
		delete(raw, m)
	}
	if len(raw) > 0 {
		s.Extra = raw
	}
	return &s, nil
}

// schemaAttribute is SchemaAttributeType.
type schemaAttribute struct {
	Name                       string `json:"Name"`
	AttributeDataType          string `json:"AttributeDataType"`
	Mutable                    *bool  `json:"Mutable"`
	Required                   *bool  `json:"Required"`
	StringAttributeConstraints *struct {
		MinLength string `json:"MinLength"`
		MaxLength string `json:"MaxLength"`
	} `json:"StringAttributeConstraints"`
	NumberAttributeConstraints *struct {
		MinValue string `json:"MinValue"`
		MaxValue string `json:"MaxValue"`
	} `json:"NumberAttributeConstraints"`
}

// applySchema reads CreateUserPool's Schema: standard attributes made
// required or immutable go to the settings, custom ones are returned.
func (s *poolSettings) applySchema(schema []schemaAttribute) ([]*customAttribute, error) {
	if len(schema) > 50 {
		return nil, apiErr(codeInvalidParameter, "A schema holds at most 50 attributes.")
	}
	var custom []*customAttribute
	seen := map[string]bool{}
	for _, e := range schema {
		if seen[e.Name] {
			return nil, apiErr(codeInvalidParameter, "The schema names an attribute twice.")
		}
		seen[e.Name] = true
		if e.Name == "sub" {
			continue
		}
		if slices.Contains(standardAttributes, e.Name) {
			if e.Required != nil && *e.Required {
				s.Required = append(s.Required, e.Name)
			}
			if e.Mutable != nil && !*e.Mutable {
				s.Immutable = append(s.Immutable, e.Name)
			}
			continue
		}
		if e.Required != nil && *e.Required {
			return nil, apiErr(codeInvalidParameter, "Required custom attributes are not supported currently.")
		}
		a, err := e.custom()
		if err != nil {
			return nil, err
		}
		custom = append(custom, a)
	}
	return custom, nil
}

// custom reads a custom attribute's declaration: its name with or without
// the custom: prefix, its type (String by default) and bounds.
func (e schemaAttribute) custom() (*customAttribute, error) {
	name := strings.TrimPrefix(e.Name, "custom:")
	if name == "" || len(name) > 20 {
		return nil, apiErr(codeInvalidParameter, "Custom attribute names must be 1 to 20 characters.")
	}
	a := &customAttribute{Name: "custom:" + name, DataType: e.AttributeDataType, Mutable: e.Mutable == nil || *e.Mutable}
	if a.DataType == "" {
		a.DataType = "String"
	}
	if !slices.Contains([]string{"String", "Number", "DateTime", "Boolean"}, a.DataType) {
		return nil, apiErr(codeInvalidParameter, "Invalid AttributeDataType.")
	}
	badBounds := apiErr(codeInvalidParameter, "Invalid constraints for custom attribute "+a.Name+".")
	if c := e.StringAttributeConstraints; c != nil && a.DataType == "String" {
		var err error
		if a.MinLen, err = optionalInt(c.MinLength, 0); err != nil || a.MinLen < 0 || a.MinLen > 2048 {
			return nil, badBounds
		}
		if a.MaxLen, err = optionalInt(c.MaxLength, 2048); err != nil || a.MaxLen < a.MinLen || a.MaxLen > 2048 {
			return nil, badBounds
		}
	}
	if c := e.NumberAttributeConstraints; c != nil && a.DataType == "Number" {
		var err error
		if a.MinValue, err = optionalNumber(c.MinValue); err != nil {
			return nil, badBounds
		}
		if a.MaxValue, err = optionalNumber(c.MaxValue); err != nil {
			return nil, badBounds
		}
		if a.MinValue != nil && a.MaxValue != nil && *a.MinValue > *a.MaxValue {
			return nil, badBounds
		}
	}
	return a, nil
}

func optionalInt(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	return strconv.Atoi(s)
}

func optionalNumber(s string) (*float64, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return nil, apiErr(codeInvalidParameter, "not a number")
	}
	return &n, nil
}

// objectOf decodes a JSON object kept in Extra, or starts an empty one.
func objectOf(raw json.RawMessage) map[string]any {
	m := map[string]any{}
	if raw != nil {
		_ = json.Unmarshal(raw, &m)
	}
	return m
}

// userPoolType answers UserPoolType: the settings the pool models, over
// the members it was given and keeps as they came.
func (p *Pool) userPoolType() map[string]any {
	s := p.conf()
	out := map[string]any{}
	for k, v := range s.Extra {
		out[k] = v
	}
	pp := s.PasswordPolicy
	policies := objectOf(s.Extra["Policies"])
	policies["PasswordPolicy"] = map[string]any{
		"MinimumLength": pp.MinimumLength, "RequireUppercase": pp.RequireUppercase, "RequireLowercase": pp.RequireLowercase,
		"RequireNumbers": pp.RequireNumbers, "RequireSymbols": pp.RequireSymbols,
		"TemporaryPasswordValidityDays": pp.TemporaryPasswordValidityDays,
	}
	factors := s.FirstAuthFactors
	if len(factors) == 0 {
		factors = []string{firstPassword}
	}
	policies["SignInPolicy"] = map[string]any{"AllowedFirstAuthFactors": factors}
	out["Policies"] = policies
	out["LambdaConfig"] = p.lambdaConfig(s)
	admin := objectOf(s.Extra["AdminCreateUserConfig"])
	admin["AllowAdminCreateUserOnly"] = s.AdminCreateOnly
	out["AdminCreateUserConfig"] = admin
	deletion := "INACTIVE"
	if s.DeletionProtection {
		deletion = "ACTIVE"
	}
	p.mu.Lock()
	users := len(p.users)
	schema := p.schemaTypeLocked(s)
	p.mu.Unlock()
	maps.Copy(out, map[string]any{
		"Id": p.poolID, "Name": s.Name, "Arn": p.arn(),
		"CreationDate": epochOf(s.Created), "LastModifiedDate": epochOf(s.Modified),
		"DeletionProtection": deletion, "MfaConfiguration": s.MfaConfiguration,
		"EstimatedNumberOfUsers": users, "UsernameConfiguration": map[string]bool{"CaseSensitive": s.CaseSensitive},
		"SchemaAttributes": schema,
	})
	if s.Devices != nil {
		out["DeviceConfiguration"] = s.Devices.wire()
	}
	if s.AccountRecovery != nil {
		out["AccountRecoverySetting"] = recoveryWire(s.AccountRecovery)
	}
	// Output members: kept out of Extra's echo whatever a request sent.
	delete(out, "UserPoolTags")
	delete(out, "Domain")
	delete(out, "CustomDomain")
	if len(s.Tags) > 0 {
		out["UserPoolTags"] = maps.Clone(s.Tags)
	}
	if s.Domain != nil {
		out["Domain"] = s.Domain.Name
	}
	if s.CustomDomain != nil {
		out["CustomDomain"] = s.CustomDomain.Name
	}
	for name, v := range map[string][]string{
		"AutoVerifiedAttributes": s.AutoVerifiedAttributes, "AliasAttributes": s.AliasAttributes, "UsernameAttributes": s.UsernameAttributes,
	} {
		if len(v) > 0 {
			out[name] = v
		}
	}
	return out
}

func (p *Pool) lambdaConfig(s *poolSettings) map[string]any {
	lambda := objectOf(s.Extra["LambdaConfig"])
	delete(lambda, "PreTokenGeneration")
	delete(lambda, "PreTokenGenerationConfig")
	if s.PreTokenLambdaARN != "" {
		lambda["PreTokenGeneration"] = s.PreTokenLambdaARN
		lambda["PreTokenGenerationConfig"] = map[string]string{"LambdaArn": s.PreTokenLambdaARN, "LambdaVersion": s.PreTokenLambdaVersion}
	}
	return lambda
}

// userPoolDescription answers UserPoolDescriptionType, ListUserPools'
// item.
func (p *Pool) userPoolDescription() map[string]any {
	s := p.conf()
	return map[string]any{
		"Id": p.poolID, "Name": s.Name, "LambdaConfig": p.lambdaConfig(s),
		"CreationDate": epochOf(s.Created), "LastModifiedDate": epochOf(s.Modified),
	}
}

// schemaTypeLocked answers SchemaAttributes: the standard attributes as
// every pool has them, then the custom ones.
func (p *Pool) schemaTypeLocked(s *poolSettings) []map[string]any {
	out := []map[string]any{{
		"Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": false, "Mutable": false, "Required": true,
		"StringAttributeConstraints": map[string]string{"MinLength": "1", "MaxLength": "2048"},
	}}
	for _, name := range standardAttributes {
		a := map[string]any{
			"Name": name, "AttributeDataType": "String", "DeveloperOnlyAttribute": false,
			"Mutable": !slices.Contains(s.Immutable, name), "Required": slices.Contains(s.Required, name),
		}
		switch name {
		case "email_verified", "phone_number_verified":
			a["AttributeDataType"] = "Boolean"
		case "updated_at":
			a["AttributeDataType"] = "Number"
			a["NumberAttributeConstraints"] = map[string]string{"MinValue": "0"}
		default:
			a["StringAttributeConstraints"] = map[string]string{"MinLength": "0", "MaxLength": "2048"}
		}
		out = append(out, a)
	}
	for _, name := range slices.Sorted(maps.Keys(p.schema)) {
		c := p.schema[name]
		a := map[string]any{
			"Name": c.Name, "AttributeDataType": c.DataType, "DeveloperOnlyAttribute": false, "Mutable": c.Mutable, "Required": false,
		}
		switch c.DataType {
		case "String":
			maxLen := cmp.Or(c.MaxLen, 2048)
			a["StringAttributeConstraints"] = map[string]string{"MinLength": strconv.Itoa(c.MinLen), "MaxLength": strconv.Itoa(maxLen)}
		case "Number":
			bounds := map[string]string{}
			if c.MinValue != nil {
				bounds["MinValue"] = strconv.FormatFloat(*c.MinValue, 'f', -1, 64)
			}
			if c.MaxValue != nil {
				bounds["MaxValue"] = strconv.FormatFloat(*c.MaxValue, 'f', -1, 64)
			}
			a["NumberAttributeConstraints"] = bounds
		}
		out = append(out, a)
	}
	return out
}
