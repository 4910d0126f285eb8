package deploy

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// chartValues is the part of the values that decides the config file.
type chartValues struct {
	Profile        string `json:"profile"`
	ProfileVersion string `json:"profileVersion"`
	Mode           string `json:"mode"`
	Rules          map[string]struct {
		Mode string `json:"mode"`
	} `json:"rules"`
	Exemptions struct {
		Namespaces []valueEntry `json:"namespaces"`
		Users      []valueEntry `json:"users"`
	} `json:"exemptions"`
	Webhook struct {
		ExcludeAKSManagedNamespaces bool `json:"excludeAKSManagedNamespaces"`
	} `json:"webhook"`
}

// valueEntry is an entry of an exemption list: a name, or {name, until, reason}.
type valueEntry struct {
	Name  string
	Until string
}

func (e *valueEntry) UnmarshalJSON(data []byte) error {
	if json.Unmarshal(data, &e.Name) == nil {
		return nil
	}
	var full struct {
		Name  string `json:"name"`
		Until string `json:"until"`
	}
	err := json.Unmarshal(data, &full)
	e.Name, e.Until = full.Name, full.Until
	return err
}

// effectiveValues are the values helm renders the chart with for a values set: the chart's defaults merged
// with the set by helm itself, as a client-side dry-run install prints them ("COMPUTED VALUES" of --debug).
func effectiveValues(t *testing.T, h *helm, set string) chartValues {
	t.Helper()
	res := h.run(t, "install", releaseName, chartDir, "--namespace", releaseNamespace, "--dry-run=client", "--debug", "--values", valuesFile(set))
	require.Zero(t, res.ExitCode, res.String())
	_, computed, ok := strings.Cut(res.Stdout, "\nCOMPUTED VALUES:\n")
	require.True(t, ok, "helm printed no computed values: %s", res.Stdout)
	computed, _, ok = strings.Cut(computed, "\nHOOKS:\n")
	require.True(t, ok, "helm printed no hooks after the computed values: %s", res.Stdout)
	var v chartValues
	require.NoError(t, yaml.Unmarshal([]byte(computed), &v))
	require.NotEmpty(t, v.Profile, "the computed values hold the chart's defaults")
	return v
}

func configOf(t *testing.T, ms []manifest) string {
	t.Helper()
	var cm corev1.ConfigMap
	decode(t, only(t, ms, "ConfigMap"), &cm)
	require.Contains(t, cm.Data, "config.yaml")
	return cm.Data["config.yaml"]
}

func webhookConfiguration(t *testing.T, ms []manifest) admissionregistrationv1.ValidatingWebhookConfiguration {
	t.Helper()
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	decode(t, only(t, ms, "ValidatingWebhookConfiguration"), &vwc)
	return vwc
}

// TestConfigLoadsInKubeguard reads every rendered config with kubeguard's own (strict) config parser
// and checks that it says what the values say.
func TestConfigLoadsInKubeguard(t *testing.T) {
	h := newHelm(t)
	for _, set := range valueSets {
		t.Run(set, func(t *testing.T) {
			p, err := policy.Parse([]byte(configOf(t, parseManifests(t, h.template(t, []string{valuesFile(set)})))))
			require.NoError(t, err, "kubeguard refuses the config the chart renders")
			values := effectiveValues(t, h, set)
			require.NotEmpty(t, p.Rules)
			version, err := rules.ParseVersion(values.ProfileVersion)
			require.NoError(t, err)
			assert.Equal(t, version, p.ProfileVersion)
			for _, rule := range p.Rules {
				want := string(policy.Off)
				if rule.On(rules.Profile(values.Profile), version) {
					want = values.Mode
				}
				if r, ok := values.Rules[rule.ID]; ok && r.Mode != "" {
					want = r.Mode
				}
				assert.Equalf(t, want, string(rule.Mode), "mode of rule %s", rule.ID)
			}
			var namespaces []string
			for _, e := range values.Exemptions.Namespaces {
				namespaces = append(namespaces, e.Name)
			}
			for _, ns := range append([]string{releaseNamespace, "kube-system", "kube-public", "kube-node-lease"}, namespaces...) {
				assert.Truef(t, p.ExemptNamespace(ns, time.Now()), "namespace %s is not exempt", ns)
			}
			for _, user := range values.Exemptions.Users {
				assert.Truef(t, p.ExemptRequester(user.Name, nil, time.Now()), "user %s is not exempt", user.Name)
			}
			// An entry with a date ends there: the rendered config must say so.
			for _, e := range append(append([]valueEntry(nil), values.Exemptions.Namespaces...), values.Exemptions.Users...) {
				if e.Until == "" {
					continue
				}
				until, err := time.Parse(time.RFC3339, e.Until)
				require.NoError(t, err)
				assert.Falsef(t, p.ExemptNamespace(e.Name, until) || p.ExemptRequester(e.Name, nil, until), "%s is still exempt at %s", e.Name, e.Until)
			}
		})
	}
}

// TestWebhookNamespaceSelectors evaluates both webhooks' namespaceSelectors with the API machinery's
// own label selectors: exempt namespaces (and AKS-managed ones, unless told otherwise) reach neither
// webhook, a namespace labelled kubeguard.io/mode=dry-run reaches only the dry-run one, every other
// namespace only the enforcing one.
func TestWebhookNamespaceSelectors(t *testing.T) {
	h := newHelm(t)
	for _, set := range valueSets {
		t.Run(set, func(t *testing.T) {
			ms := parseManifests(t, h.template(t, []string{valuesFile(set)}))
			p, err := policy.Parse([]byte(configOf(t, ms)))
			require.NoError(t, err)
			vwc := webhookConfiguration(t, ms)
			webhooks := map[string]admissionregistrationv1.ValidatingWebhook{}
			for _, w := range vwc.Webhooks {
				webhooks[w.Name] = w
			}
			require.Contains(t, webhooks, "validate.kubeguard.io")
			require.Contains(t, webhooks, "validate-dry-run.kubeguard.io")

			reaches := func(ns map[string]string) []string {
				var out []string
				for _, w := range vwc.Webhooks {
					selector, err := metav1.LabelSelectorAsSelector(w.NamespaceSelector)
					require.NoError(t, err)
					if selector.Matches(labels.Set(ns)) {
						out = append(out, w.Name)
					}
				}
				return out
			}
			name := "kubernetes.io/metadata.name"
			assert.Equal(t, []string{"validate.kubeguard.io"}, reaches(map[string]string{name: "team-a"}))
			assert.Equal(t, []string{"validate-dry-run.kubeguard.io"}, reaches(map[string]string{name: "team-a", "kubeguard.io/mode": "dry-run"}))
			excludeAKS := effectiveValues(t, h, set).Webhook.ExcludeAKSManagedNamespaces
			for _, label := range []string{"control-plane=true", "kubernetes.azure.com/managedby=aks"} {
				key, value, _ := strings.Cut(label, "=")
				got := reaches(map[string]string{name: "aks-addon", key: value})
				if excludeAKS {
					assert.Emptyf(t, got, "a namespace labelled %s reaches a webhook", label)
				} else {
					assert.Equalf(t, []string{"validate.kubeguard.io"}, got, "a namespace labelled %s", label)
				}
			}
			// Only the exemptions without a date are kept from the API server: a selector cannot expire, so
			// a time-boxed namespace reaches kubeguard, which exempts it until its date.
			for _, e := range p.Exemptions.Namespaces {
				ns := e.Name
				if !e.Until.IsZero() {
					assert.Equalf(t, []string{"validate.kubeguard.io"}, reaches(map[string]string{name: ns}), "time-boxed namespace %s", ns)
					continue
				}
				assert.Emptyf(t, reaches(map[string]string{name: ns}), "exempt namespace %s reaches a webhook", ns)
				assert.Emptyf(t, reaches(map[string]string{name: ns, "kubeguard.io/mode": "dry-run"}), "exempt namespace %s reaches a webhook", ns)
			}
		})
	}
}

// TestWebhookPaths checks where each webhook sends its requests.
func TestWebhookPaths(t *testing.T) {
	h := newHelm(t)
	want := map[string]string{"validate.kubeguard.io": "/validate", "validate-dry-run.kubeguard.io": "/validate/dry-run"}
	for _, set := range valueSets {
		t.Run(set, func(t *testing.T) {
			for _, w := range webhookConfiguration(t, parseManifests(t, h.template(t, []string{valuesFile(set)}))).Webhooks {
				if w.ClientConfig.Service != nil {
					require.NotNil(t, w.ClientConfig.Service.Path)
					assert.Equal(t, want[w.Name], *w.ClientConfig.Service.Path)
				} else {
					require.NotNil(t, w.ClientConfig.URL)
					assert.Regexp(t, `^https://[^/]+`+want[w.Name]+`$`, *w.ClientConfig.URL)
				}
			}
		})
	}
}

// TestConfigChangeRollsPods checks the checksum annotation: a config change changes the pod template
// (so the Deployment rolls), anything else leaves it alone.
func TestConfigChangeRollsPods(t *testing.T) {
	h := newHelm(t)
	checksum := func(extra ...string) string {
		var d appsv1.Deployment
		decode(t, only(t, parseManifests(t, h.template(t, nil, extra...)), "Deployment"), &d)
		sum := d.Spec.Template.Annotations["checksum/config"]
		require.NotEmpty(t, sum)
		return sum
	}
	base := checksum()
	assert.NotEqual(t, base, checksum("--set", "mode=dry-run"))
	assert.NotEqual(t, base, checksum("--set", "rules.privileged.mode=off"))
	assert.Equal(t, base, checksum("--set", "replicaCount=3"))
}

// TestDefaultsMatchKubeguard checks that the chart's default values configure kubeguard exactly as
// kubeguard configures itself without a config file, plus the release namespace: installing with Helm
// changes nothing the defaults promise.
func TestDefaultsMatchKubeguard(t *testing.T) {
	p, err := policy.Parse([]byte(configOf(t, parseManifests(t, newHelm(t).template(t, []string{valuesFile("default")})))))
	require.NoError(t, err)
	builtIn := policy.Default()
	assert.Equal(t, ruleModes(builtIn), ruleModes(p))
	assert.Equal(t, builtIn.Options, p.Options)
	assert.ElementsMatch(t, builtIn.Exemptions.Users, p.Exemptions.Users)
	assert.ElementsMatch(t, builtIn.Exemptions.Groups, p.Exemptions.Groups)
	assert.ElementsMatch(t, builtIn.Exemptions.DryRunUsers, p.Exemptions.DryRunUsers)
	assert.ElementsMatch(t, append(builtIn.Exemptions.Namespaces, policy.Entry{Name: releaseNamespace}), p.Exemptions.Namespaces)
}

func ruleModes(p *policy.Policy) map[string]policy.Mode {
	modes := map[string]policy.Mode{}
	for _, r := range p.Rules {
		modes[r.ID] = r.Mode
	}
	return modes
}
