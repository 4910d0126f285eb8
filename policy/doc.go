// Package policy turns kubeguard's configuration file into the policy the webhook and the offline checker
// apply: which rules run in which mode, their settings, and who is exempt.
package policy
