// Package judgement decides one object for one requester: which rules it breaks under the policy, and
// whether that allows it, warns about it, denies it or leaves it alone. It also writes the words every
// front-end shows: the admission webhook, kubeguard check and kubeguard audit share it, so a developer
// reads the same verdict wherever it is given.
package judgement
