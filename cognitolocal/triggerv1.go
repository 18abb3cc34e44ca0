package cognitolocal

import "github.com/aws/aws-lambda-go/events"

// The V1_0 pre-token-generation trigger. "With the Basic features of the
// version one or V1_0 pre token generation trigger event, you can
// customize the identity (ID) token"; "Amazon Cognito sends a V1_0 event
// as a request to your function with data that it would write to the ID
// token" (developer guide, "Pre token generation Lambda trigger"). So a
// V1_0 trigger gets version "1" without scopes, and its response changes
// the ID token alone: claims added or overridden (strings, as the V1_0
// response's claimsToAddOrOverride holds; complex values came with
// V2_0), claims suppressed, and the group override. The access token is
// issued as if no trigger ran.
//
// A Trigger is typed for the V2_0 event, so a Go trigger run as V1_0
// answers in IDTokenGeneration and GroupOverrideDetails; what it puts in
// AccessTokenGeneration is not read, as a V1_0 function's response has
// no place for it. HTTPTrigger speaks the V1_0 JSON shape itself.

// v1Event is the V1_0 event as JSON carries it: the request of
// events.CognitoEventUserPoolsPreTokenGen, and a response whose claim
// values are read as any JSON value, so that a value that is not a
// string is refused as Cognito refuses it rather than failing to parse.
type v1Event struct {
	events.CognitoEventUserPoolsHeader
	Request  events.CognitoEventUserPoolsPreTokenGenRequest `json:"request"`
	Response struct {
		ClaimsOverrideDetails struct {
			GroupOverrideDetails  events.GroupConfiguration `json:"groupOverrideDetails"`
			ClaimsToAddOrOverride map[string]any            `json:"claimsToAddOrOverride"`
			ClaimsToSuppress      []string                  `json:"claimsToSuppress"`
		} `json:"claimsOverrideDetails"`
	} `json:"response"`
}

// toV1Event is ev in the V1_0 shape.
func toV1Event(ev events.CognitoEventUserPoolsPreTokenGenV2_0) v1Event {
	var out v1Event
	out.CognitoEventUserPoolsHeader = ev.CognitoEventUserPoolsHeader
	out.Request.UserAttributes = ev.Request.UserAttributes
	out.Request.GroupConfiguration = events.GroupConfiguration(ev.Request.GroupConfiguration)
	out.Request.ClientMetadata = ev.Request.ClientMetadata
	return out
}

// fromV1Response is ev with the response of a V1_0 answer, in the
// places applyV1Response reads.
func fromV1Response(ev events.CognitoEventUserPoolsPreTokenGenV2_0, v1 v1Event) events.CognitoEventUserPoolsPreTokenGenV2_0 {
	d := v1.Response.ClaimsOverrideDetails
	ev.Response.ClaimsAndScopeOverrideDetails = events.ClaimsAndScopeOverrideDetailsV2_0{
		IDTokenGeneration:    events.IDTokenGenerationV2_0{ClaimsToAddOrOverride: d.ClaimsToAddOrOverride, ClaimsToSuppress: d.ClaimsToSuppress},
		GroupOverrideDetails: events.GroupConfigurationV2_0(d.GroupOverrideDetails),
	}
	return ev
}

// applyV1Response applies a V1_0 response to the ID token's claims (nil
// when no ID token is issued), with the rules of applyTriggerResponse.
func applyV1Response(d events.ClaimsAndScopeOverrideDetailsV2_0, id map[string]any) error {
	it := d.IDTokenGeneration
	if len(it.ClaimsToAddOrOverride)+len(it.ClaimsToSuppress) > maxClaimChanges {
		return apiErr(codeInvalidLambdaResp, "Invalid lambda response: too many claims changed.")
	}
	for name, v := range it.ClaimsToAddOrOverride {
		if isUnmodifiable(name) {
			return errUnmodifiableClaim
		}
		if _, ok := v.(string); !ok {
			return apiErr(codeInvalidLambdaResp, "Invalid lambda response: a V1_0 trigger adds claims with string values only.")
		}
	}
	for _, name := range it.ClaimsToSuppress {
		if isUnmodifiable(name) {
			return errUnmodifiableClaim
		}
	}
	if id == nil {
		return nil
	}
	if err := applyClaims(id, it.ClaimsToAddOrOverride, it.ClaimsToSuppress); err != nil {
		return err
	}
	applyGroupOverride(d.GroupOverrideDetails, nil, id)
	return nil
}
