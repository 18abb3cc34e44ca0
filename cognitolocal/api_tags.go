package cognitolocal

import (
	"encoding/json"
	"fmt"
	"maps"
	"unicode/utf8"
)

// The JSON API operations on a pool's tags: TagResource, UntagResource and
// ListTagsForResource, which name the pool by its ARN, and the
// UserPoolTags of CreateUserPool, UpdateUserPool and DescribeUserPool.
// Tags are kept and answered back; nothing (no IAM policy, no bill) reads
// them.

// maxPoolTags is TagResource's "A user pool can have as many as 50 tags."
const maxPoolTags = 50

// localAccountID is the AWS account the local pools answer for in ARNs
// and domain descriptions: the local pool has none.
const localAccountID = "000000000000"

// arn is the pool's ARN, as UserPoolType.Arn gives it.
func (p *Pool) arn() string {
	return "arn:aws:cognito-idp:" + p.region() + ":" + localAccountID + ":userpool/" + p.poolID
}

// poolOfARN finds the pool an ARN names. A well-formed ARN (the model's
// pattern is checked before, validateMembers) that names no pool of the
// service answers ResourceNotFoundException.
func (s *Service) poolOfARN(arn string) (*Pool, error) {
	for _, p := range s.Pools() {
		if p.arn() == arn {
			return p, nil
		}
	}
	return nil, apiErr(codeResourceNotFound, "The resource named by ResourceArn does not exist.")
}

// checkTags checks a tag map as UserPoolTagsType bounds it: keys of 1 to
// 128 characters, values of at most 256, and at most 50 tags. Keys and
// values are not echoed in messages.
func checkTags(member string, tags map[string]string) error {
	if len(tags) > maxPoolTags {
		return apiErr(codeInvalidParameter, fmt.Sprintf("A user pool can have at most %d tags.", maxPoolTags))
	}
	for k, v := range tags {
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			return invalidMember(member, "Map keys must have length between 1 and 128")
		}
		if utf8.RuneCountInString(v) > 256 {
			return invalidMember(member, "Map values must have length less than or equal to 256")
		}
	}
	return nil
}

// parseTags reads UserPoolTags from a CreateUserPool or UpdateUserPool
// body; given reports whether the member was there.
func parseTags(raw json.RawMessage) (tags map[string]string, given bool, err error) {
	if raw == nil || string(raw) == "null" {
		return nil, false, nil
	}
	if json.Unmarshal(raw, &tags) != nil {
		return nil, false, apiErr("SerializationException", "UserPoolTags must be a map of strings to strings.")
	}
	if err := checkTags("userPoolTags", tags); err != nil {
		return nil, false, err
	}
	if len(tags) == 0 {
		tags = nil
	}
	return tags, true, nil
}

type tagResourceInput struct {
	ResourceArn string            `json:"ResourceArn"`
	Tags        map[string]string `json:"Tags"`
}

// tagResource adds tags to the pool, a key already there taking the new
// value, and refuses a request that would leave the pool past 50 tags.
func (s *Service) tagResource(_ *apiCall, in *tagResourceInput) (*empty, error) {
	p, err := s.poolOfARN(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if err := checkTags("tags", in.Tags); err != nil {
		return nil, err
	}
	return &empty{}, p.changeTags(func(tags map[string]string) error {
		maps.Copy(tags, in.Tags)
		return checkTags("tags", tags)
	})
}

type untagResourceInput struct {
	ResourceArn string   `json:"ResourceArn"`
	TagKeys     []string `json:"TagKeys"`
}

// untagResource removes the tags of the keys given; a key the pool has
// no tag for is no error (the docs are silent; removing what is not
// there leaves the pool as asked).
func (s *Service) untagResource(_ *apiCall, in *untagResourceInput) (*empty, error) {
	p, err := s.poolOfARN(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	for i, k := range in.TagKeys {
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			return nil, invalidMember(fmt.Sprintf("tagKeys.%d.member", i+1), "Member must have length between 1 and 128")
		}
	}
	return &empty{}, p.changeTags(func(tags map[string]string) error {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return nil
	})
}

type resourceARNInput struct {
	ResourceArn string `json:"ResourceArn"`
}

type listTagsOutput struct {
	Tags map[string]string `json:"Tags"`
}

// listTagsForResource answers the pool's tags, an empty map when it has
// none.
func (s *Service) listTagsForResource(_ *apiCall, in *resourceARNInput) (*listTagsOutput, error) {
	p, err := s.poolOfARN(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags := maps.Clone(p.conf().Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return &listTagsOutput{Tags: tags}, nil
}

// changeTags applies f to a copy of the pool's tags and stores the
// result, unless f refuses it. Tagging does not change the pool's
// LastModifiedDate (the docs are silent).
func (p *Pool) changeTags(f func(map[string]string) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := *p.conf()
	tags := maps.Clone(s.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	if err := f(tags); err != nil {
		return err
	}
	if len(tags) == 0 {
		tags = nil
	}
	s.Tags = tags
	p.settings.Store(&s)
	return nil
}
