package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

const usersHelp = `Manage the users of a running dev-issuer from the shell, through the
user-pool JSON API it serves (the AdminCreateUser, AdminSetUserPassword,
ListUsers, AdminUpdateUserAttributes, AdminAddUserToGroup… operations).
A real user pool is managed the same way with the AWS CLI
("aws cognito-idp admin-create-user …"), which also works against the
dev-issuer with --endpoint-url http://127.0.0.1:9229.

  cognitojwt users add USERNAME --password P [--groups a,b] [--attr NAME=VALUE]…
      creates a confirmed user with a permanent password; groups that do not
      exist yet are created; on any refusal nothing is left behind
  cognitojwt users delete USERNAME
  cognitojwt users list [--filter 'email ^= "a"'] [--json]
  cognitojwt users set USERNAME [--attr NAME=VALUE]… [--delete-attr NAME]…
      [--password P] [--disable | --enable] [--sign-out]
  cognitojwt users groups USERNAME [--add GROUP]… [--remove GROUP]…
      changes and then prints the user's groups
  cognitojwt users outbox [--username U] [--kind K] [--last | --json]
      prints the messages the pool would have sent (codes, invitations)

--attr sets a standard attribute (email, given_name, birthdate…) by its
name and any other NAME as custom:NAME, which the pool must declare
(dev-issuer --custom-attribute NAME). Users' tokens carry attributes as
Cognito puts them: in ID tokens, not in access tokens.`

func runUsers(e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("missing subcommand: add, delete, list, set, groups or outbox")
	}
	switch args[0] {
	case "-h", "-help", "--help":
		fmt.Fprintf(e.stdout, "Usage: cognitojwt users add|delete|list|set|groups|outbox [flags]\n\n%s\n\nExit codes: 0 success, 1 the pool refused the operation, 2 usage error,\n3 the dev-issuer is unreachable.\n", usersHelp)
		return nil
	case "add":
		return runUsersAdd(e, args[1:])
	case "delete":
		return runUsersDelete(e, args[1:])
	case "list":
		return runUsersList(e, args[1:])
	case "set":
		return runUsersSet(e, args[1:])
	case "groups":
		return runUsersGroups(e, args[1:])
	case "outbox":
		return runUsersOutbox(e, args[1:])
	}
	return usageErrorf("unknown subcommand %q: want add, delete, list, set, groups or outbox", args[0])
}

// poolFlags are the flags every users subcommand shares: where the pool is.
type poolFlags struct {
	server, pool *string
}

func addPoolFlags(fs *flagSet) poolFlags {
	return poolFlags{
		server: fs.String("server", "http://"+defaultDevAddr, "base `URL` of the running dev-issuer"),
		pool:   fs.String("pool", defaultDevPool, "user-pool `ID` the dev-issuer serves"),
	}
}

func (f poolFlags) client() (*poolClient, error) {
	u, err := url.Parse(*f.server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, usageErrorf("--server %q is not the base URL of a dev-issuer, such as http://127.0.0.1:9229", *f.server)
	}
	return &poolClient{endpoint: u.Scheme + "://" + u.Host + "/", poolID: *f.pool}, nil
}

func runUsersAdd(e *env, args []string) error {
	fs := newFlagSet(e, "users add", "USERNAME", "Create a confirmed user with a permanent password.\n\n"+usersHelp)
	pf := addPoolFlags(fs)
	password := fs.String("password", "", "the user's permanent `password`")
	var groups listFlag
	var attrs pairFlag
	fs.Var(&groups, "groups", "`groups` to add the user to, comma-separated or repeated; created if missing")
	fs.Var(&attrs, "attr", "attribute `NAME=VALUE`: a standard attribute, or custom:NAME (repeatable)")
	username, err := parseOneArg(fs, args, "USERNAME", "")
	if err != nil {
		return err
	}
	if *password == "" {
		return usageErrorf("--password is required")
	}
	c, err := pf.client()
	if err != nil {
		return err
	}
	for _, g := range groups {
		if err := checkGroupName(g); err != nil {
			return err
		}
	}
	c.custom = attrs.customNames()
	var created struct {
		User struct {
			Attributes []apiAttribute
		}
	}
	// The password goes in as the temporary one, so that the pool checks
	// it against its policy before it creates anything.
	err = c.call("AdminCreateUser", map[string]any{
		"UserPoolId":        c.poolID,
		"Username":          username,
		"MessageAction":     "SUPPRESS",
		"TemporaryPassword": *password,
		"UserAttributes":    attrs.apiAttributes(),
	}, &created)
	if err != nil {
		return err
	}
	// From here a refusal undoes what this command made: the user, and the
	// groups it created.
	var newGroups []string
	undo := func(cause error) error {
		_ = c.call("AdminDeleteUser", map[string]any{"UserPoolId": c.poolID, "Username": username}, nil)
		for _, g := range newGroups {
			_ = c.call("DeleteGroup", map[string]any{"UserPoolId": c.poolID, "GroupName": g}, nil)
		}
		return cause
	}
	if err := c.call("AdminSetUserPassword", map[string]any{
		"UserPoolId": c.poolID, "Username": username, "Password": *password, "Permanent": true,
	}, nil); err != nil {
		return undo(err)
	}
	for _, g := range groups {
		made, err := c.addToGroupCreating(username, g)
		if made {
			newGroups = append(newGroups, g)
		}
		if err != nil {
			return undo(err)
		}
	}
	var sub string
	for _, a := range created.User.Attributes {
		if a.Name == "sub" {
			sub = a.Value
		}
	}
	fmt.Fprintf(e.stdout, "added %s (sub %s)", username, sub)
	if len(groups) > 0 {
		fmt.Fprintf(e.stdout, " to %s", strings.Join(groups, ", "))
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// checkGroupName applies GroupName's constraints (1 to 128 letters,
// marks, symbols, digits or punctuation) before anything is created.
func checkGroupName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 128 || !groupNamePattern.MatchString(name) {
		return usageErrorf("--groups %q: a group name is 1 to 128 letters, digits, symbols or punctuation", name)
	}
	return nil
}

var groupNamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)

func runUsersDelete(e *env, args []string) error {
	fs := newFlagSet(e, "users delete", "USERNAME", "Delete a user, as AdminDeleteUser does: its refresh tokens stop working.\n\n"+usersHelp)
	pf := addPoolFlags(fs)
	username, err := parseOneArg(fs, args, "USERNAME", "")
	if err != nil {
		return err
	}
	c, err := pf.client()
	if err != nil {
		return err
	}
	if err := c.call("AdminDeleteUser", map[string]any{"UserPoolId": c.poolID, "Username": username}, nil); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "deleted %s\n", username)
	return nil
}

func runUsersList(e *env, args []string) error {
	fs := newFlagSet(e, "users list", "", "List the pool's users with their status and groups.\n\n"+usersHelp)
	pf := addPoolFlags(fs)
	filter := fs.String("filter", "", "ListUsers `filter`: NAME = \"VALUE\" or NAME ^= \"PREFIX\"")
	asJSON := fs.Bool("json", false, "print [{username, sub, status, enabled, attributes, groups}]")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	c, err := pf.client()
	if err != nil {
		return err
	}
	type listed struct {
		Username   string            `json:"username"`
		Sub        string            `json:"sub"`
		Status     string            `json:"status"`
		Enabled    bool              `json:"enabled"`
		Attributes map[string]string `json:"attributes"`
		Groups     []string          `json:"groups"`
	}
	users := []listed{}
	token := ""
	for {
		in := map[string]any{"UserPoolId": c.poolID}
		if *filter != "" {
			in["Filter"] = *filter
		}
		if token != "" {
			in["PaginationToken"] = token
		}
		var page struct {
			Users []struct {
				Username   string
				UserStatus string
				Enabled    bool
				Attributes []apiAttribute
			}
			PaginationToken string
		}
		if err := c.call("ListUsers", in, &page); err != nil {
			return err
		}
		for _, u := range page.Users {
			l := listed{Username: u.Username, Status: u.UserStatus, Enabled: u.Enabled, Attributes: map[string]string{}}
			for _, a := range u.Attributes {
				l.Attributes[a.Name] = a.Value
			}
			l.Sub = l.Attributes["sub"]
			if l.Groups, err = c.groupsOf(u.Username); err != nil {
				return err
			}
			users = append(users, l)
		}
		if token = page.PaginationToken; token == "" {
			break
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(users)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tSTATUS\tENABLED\tEMAIL\tGROUPS\tSUB")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%t\t%s\t%s\t%s\n", u.Username, u.Status, u.Enabled,
			dash(u.Attributes["email"]), dash(strings.Join(u.Groups, ",")), u.Sub)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runUsersSet(e *env, args []string) error {
	fs := newFlagSet(e, "users set", "USERNAME", "Change a user's attributes, password or status.\n\n"+usersHelp)
	pf := addPoolFlags(fs)
	var attrs pairFlag
	var deleted listFlag
	fs.Var(&attrs, "attr", "set attribute `NAME=VALUE` (repeatable)")
	fs.Var(&deleted, "delete-attr", "delete attribute `NAME` (repeatable)")
	password := fs.String("password", "", "set a new permanent `password`")
	disable := fs.Bool("disable", false, "disable the user: sign-in and refresh are refused")
	enable := fs.Bool("enable", false, "enable the user again")
	signOut := fs.Bool("sign-out", false, "end every refresh token of the user (AdminUserGlobalSignOut)")
	username, err := parseOneArg(fs, args, "USERNAME", "")
	if err != nil {
		return err
	}
	if *disable && *enable {
		return usageErrorf("--disable and --enable exclude each other")
	}
	if len(attrs) == 0 && len(deleted) == 0 && *password == "" && !*disable && !*enable && !*signOut {
		return usageErrorf("nothing to change: give --attr, --delete-attr, --password, --disable, --enable or --sign-out")
	}
	c, err := pf.client()
	if err != nil {
		return err
	}
	c.custom = attrs.customNames()
	// One operation per change, in the order a person would make them.
	call := func(op string, extra map[string]any) error {
		in := map[string]any{"UserPoolId": c.poolID, "Username": username}
		maps.Copy(in, extra)
		return c.call(op, in, nil)
	}
	if len(attrs) > 0 {
		if err := call("AdminUpdateUserAttributes", map[string]any{"UserAttributes": attrs.apiAttributes()}); err != nil {
			return err
		}
	}
	if len(deleted) > 0 {
		names := make([]string, len(deleted))
		for i, n := range deleted {
			names[i] = attributeName(n)
		}
		if err := call("AdminDeleteUserAttributes", map[string]any{"UserAttributeNames": names}); err != nil {
			return err
		}
	}
	if *password != "" {
		if err := call("AdminSetUserPassword", map[string]any{"Password": *password, "Permanent": true}); err != nil {
			return err
		}
	}
	for _, step := range []struct {
		on bool
		op string
	}{{*disable, "AdminDisableUser"}, {*enable, "AdminEnableUser"}, {*signOut, "AdminUserGlobalSignOut"}} {
		if !step.on {
			continue
		}
		if err := call(step.op, nil); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "updated %s\n", username)
	return nil
}

func runUsersGroups(e *env, args []string) error {
	fs := newFlagSet(e, "users groups", "USERNAME", "Change and print a user's groups.\n\n"+usersHelp)
	pf := addPoolFlags(fs)
	var add, remove listFlag
	fs.Var(&add, "add", "add the user to `GROUP`, created if missing (comma-separated or repeated)")
	fs.Var(&remove, "remove", "remove the user from `GROUP` (comma-separated or repeated)")
	username, err := parseOneArg(fs, args, "USERNAME", "")
	if err != nil {
		return err
	}
	c, err := pf.client()
	if err != nil {
		return err
	}
	for _, g := range add {
		if err := c.addToGroup(username, g); err != nil {
			return err
		}
	}
	for _, g := range remove {
		if err := c.call("AdminRemoveUserFromGroup", map[string]any{"UserPoolId": c.poolID, "Username": username, "GroupName": g}, nil); err != nil {
			return err
		}
	}
	groups, err := c.groupsOf(username)
	if err != nil {
		return err
	}
	for _, g := range groups {
		fmt.Fprintln(e.stdout, g)
	}
	return nil
}

// apiAttribute is the JSON API's AttributeType.
type apiAttribute struct {
	Name  string
	Value string
}

// customNames lists the custom attributes among the pairs, without the
// custom: prefix, as dev-issuer --custom-attribute takes them.
func (p pairFlag) customNames() []string {
	var names []string
	for _, kv := range p {
		if name := attributeName(kv.name); strings.HasPrefix(name, "custom:") {
			names = append(names, strings.TrimPrefix(name, "custom:"))
		}
	}
	return names
}

// apiAttributes turns --attr pairs into the JSON API's attribute list,
// naming custom attributes as Cognito does.
func (p pairFlag) apiAttributes() []apiAttribute {
	out := make([]apiAttribute, len(p))
	for i, kv := range p {
		out[i] = apiAttribute{Name: attributeName(kv.name), Value: kv.value}
	}
	return out
}
