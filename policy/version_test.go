package policy_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
)

const header = "apiVersion: kubeguard.io/v1alpha1\nkind: Configuration\n"

// A versioned file and the same keys without the version decide the same; only the unversioned one is
// warned about.
func TestVersionedAndUnversionedDecideAlike(t *testing.T) {
	body := "mode: dry-run\nrules:\n  privileged: {mode: enforce}\nexemptions:\n  users: [ci-bot]\n"

	versioned, err := policy.Parse([]byte(header + body))
	require.NoError(t, err)
	assert.Empty(t, versioned.Warnings)

	unversioned, err := policy.Parse([]byte(body))
	require.NoError(t, err)
	assertSamePolicy(t, versioned, unversioned)
	require.Len(t, unversioned.Warnings, 1)
	assert.Contains(t, unversioned.Warnings[0], "deprecated")
	assert.Contains(t, unversioned.Warnings[0], `"apiVersion: kubeguard.io/v1alpha1"`)
	assert.Contains(t, unversioned.Warnings[0], `"kind: Configuration"`)
}

func TestVersionWarnings(t *testing.T) {
	for name, tt := range map[string]struct {
		yaml string
		warn bool
	}{
		"versioned":                      {yaml: header + "mode: enforce\n"},
		"versioned, keys in other order": {yaml: "mode: enforce\nkind: Configuration\napiVersion: kubeguard.io/v1alpha1\n"},
		"versioned and nothing else":     {yaml: header},
		"quoted values":                  {yaml: "apiVersion: \"kubeguard.io/v1alpha1\"\nkind: 'Configuration'\n"},
		"flow mapping":                   {yaml: "{apiVersion: kubeguard.io/v1alpha1, kind: Configuration, mode: dry-run}\n"},
		"version reached through alias":  {yaml: "apiVersion: &v kubeguard.io/v1alpha1\nkind: Configuration\nexemptions: {}\n"},
		"unversioned":                    {yaml: "mode: enforce\n", warn: true},
		"unversioned null key":           {yaml: "mode:\n", warn: true},
		"empty":                          {yaml: ""},
		"comments only":                  {yaml: "# nothing yet\n"},
		"empty mapping":                  {yaml: "{}\n"},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.yaml))
			require.NoError(t, err)
			if tt.warn {
				assert.Len(t, p.Warnings, 1)
			} else {
				assert.Empty(t, p.Warnings)
			}
		})
	}
}

// The full file of every key loads as it is, and the version changes nothing it decides.
func TestLoadVersionedFullFile(t *testing.T) {
	p, err := policy.Load(filepath.Join("testdata", "full.yaml"))
	require.NoError(t, err)
	assert.Empty(t, p.Warnings, "testdata/full.yaml is written in the current version")
}

// A wrong or odd header is a configuration error on its line, as any other key's; none is read as the
// version it resembles.
func TestVersionErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		line int
		want []string
	}{
		{
			name: "another group",
			yaml: "apiVersion: kubeguard.example/v1alpha1\nkind: Configuration\n",
			line: 1,
			want: []string{`unknown apiVersion "kubeguard.example/v1alpha1"`, "kubeguard.io/v1alpha1"},
		},
		{
			name: "a version this kubeguard does not know",
			yaml: "# written for a later kubeguard\napiVersion: kubeguard.io/v1\nkind: Configuration\nnewKey: 1\n",
			line: 2,
			want: []string{`unknown apiVersion "kubeguard.io/v1"`, "newer kubeguard"},
		},
		{
			name: "a Kubernetes apiVersion",
			yaml: "apiVersion: v1\nkind: ConfigMap\n",
			line: 1,
			want: []string{`unknown apiVersion "v1"`},
		},
		{
			name: "upper case",
			yaml: "apiVersion: Kubeguard.io/V1alpha1\nkind: Configuration\n",
			line: 1,
			want: []string{`apiVersion "Kubeguard.io/V1alpha1" is not "kubeguard.io/v1alpha1"`, "case-sensitive"},
		},
		{
			name: "quoted spaces",
			yaml: "apiVersion: \" kubeguard.io/v1alpha1 \"\nkind: Configuration\n",
			line: 1,
			want: []string{`apiVersion " kubeguard.io/v1alpha1 " is not`, "takes no spaces"},
		},
		{
			name: "a space inside",
			yaml: "apiVersion: kubeguard.io/ v1alpha1\nkind: Configuration\n",
			line: 1,
			want: []string{`unknown apiVersion "kubeguard.io/ v1alpha1"`},
		},
		{
			name: "wrong kind",
			yaml: "apiVersion: kubeguard.io/v1alpha1\nkind: KubeguardConfiguration\n",
			line: 2,
			want: []string{`unknown kind "KubeguardConfiguration" (this kubeguard reads Configuration)`},
		},
		{
			name: "kind in lower case",
			yaml: "apiVersion: kubeguard.io/v1alpha1\nkind: configuration\n",
			line: 2,
			want: []string{`kind "configuration" is not "Configuration"`},
		},
		{
			name: "apiVersion without kind",
			yaml: "mode: enforce\napiVersion: kubeguard.io/v1alpha1\n",
			line: 2,
			want: []string{"apiVersion is given without kind"},
		},
		{
			name: "kind without apiVersion",
			yaml: "kind: Configuration\nmode: enforce\n",
			line: 1,
			want: []string{"kind is given without apiVersion"},
		},
		{
			name: "empty apiVersion",
			yaml: "apiVersion:\nkind: Configuration\n",
			line: 1,
			want: []string{`apiVersion must be "kubeguard.io/v1alpha1"`},
		},
		{
			name: "apiVersion as a list",
			yaml: "apiVersion: [kubeguard.io/v1alpha1]\nkind: Configuration\n",
			line: 1,
			want: []string{`apiVersion must be "kubeguard.io/v1alpha1"`},
		},
		{
			name: "a number",
			yaml: "apiVersion: 1.0\nkind: Configuration\n",
			line: 1,
			want: []string{`unknown apiVersion "1.0"`},
		},
		{
			name: "apiVersion given twice",
			yaml: header + "mode: enforce\napiVersion: kubeguard.io/v1\n",
			line: 4,
			want: []string{"apiVersion is given twice"},
		},
		{
			name: "the same apiVersion given twice",
			yaml: header + "apiVersion: kubeguard.io/v1alpha1\n",
			line: 3,
			want: []string{"apiVersion is given twice"},
		},
		{
			name: "kind given twice",
			yaml: header + "kind: Configuration\n",
			line: 3,
			want: []string{"kind is given twice"},
		},
		{
			name: "kind aliased to the apiVersion",
			yaml: "apiVersion: &v kubeguard.io/v1alpha1\nkind: *v\n",
			line: 2,
			want: []string{`unknown kind "kubeguard.io/v1alpha1"`},
		},
		{
			name: "version merged in from a mapping",
			yaml: "<<: {apiVersion: kubeguard.io/v1alpha1, kind: Configuration}\nmode: enforce\n",
			line: 1,
			want: []string{"apiVersion is merged in with <<"},
		},
		{
			name: "merged version overridden by the file's own",
			yaml: header + "<<: [{mode: enforce}, {kind: Other}]\n",
			line: 3,
			want: []string{"kind is merged in with <<"},
		},
		{
			name: "a second spelling of apiVersion",
			yaml: header + "apiversion: kubeguard.io/v1\n",
			line: 3,
			want: []string{`unknown key "apiversion"`},
		},
		{
			name: "metadata as in a Kubernetes object",
			yaml: header + "metadata:\n  name: kubeguard\n",
			line: 3,
			want: []string{`unknown key "metadata"`},
		},
		{
			name: "a versioned file's other keys are still checked",
			yaml: header + "mode: block\n",
			line: 3,
			want: []string{`unknown mode "block"`},
		},
		{
			// Nine levels of nine aliases would expand to nine to the ninth names: refused at the first
			// list of lists, without expanding anything.
			name: "aliases nested into a billion names",
			yaml: header + billionLaughs(),
			line: 4,
			want: []string{"exemptions.users", "each entry is a name"},
		},
		{
			name: "apiVersion an alias of nested aliases",
			yaml: "a: &l0 [a, b, c]\nb: &l1 [*l0, *l0, *l0]\nc: &l2 [*l1, *l1, *l1]\napiVersion: *l2\nkind: Configuration\n",
			line: 4,
			want: []string{`apiVersion must be "kubeguard.io/v1alpha1"`},
		},
		{
			name: "a versioned file stays a single document",
			yaml: header + "---\n" + header,
			line: 3,
			want: []string{"single YAML document"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.yaml))
			require.Error(t, err)
			assert.Nil(t, p)
			assert.Contains(t, err.Error(), fmt.Sprintf("line %d:", tt.line))
			for _, part := range tt.want {
				assert.Contains(t, err.Error(), part)
			}
		})
	}
}

// billionLaughs is an exemption list whose entries nest aliases nine deep.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("exemptions:\n  users: [&l0 [a, b, c, d, e, f, g, h, i]")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, ", &l%d [", i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]")
	}
	b.WriteString("]\n")
	return b.String()
}
