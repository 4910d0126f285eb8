package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PodFromCore must give the view a caller would build by hand, and therefore the same verdicts.
func TestPodFromCore(t *testing.T) {
	restricted := &corev1.PodSecurityContext{
		RunAsNonRoot:    new(true),
		SeccompProfile:  &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault},
	}
	noEscalation := &corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}
	rootUser := &corev1.SecurityContext{RunAsUser: new(int64(0)), Privileged: new(true)}
	annotations := map[string]string{"container.apparmor.security.beta.kubernetes.io/web": "unconfined", "team": "payments"}

	tests := []struct {
		name       string
		path       *field.Path
		meta       *metav1.ObjectMeta
		spec       corev1.PodSpec
		want       Pod
		violations bool
	}{
		{
			name: "compliant pod",
			meta: &metav1.ObjectMeta{Name: "web"},
			spec: corev1.PodSpec{
				SecurityContext: restricted,
				Containers:      []corev1.Container{{Name: "web", Image: "example.com/web:1", SecurityContext: noEscalation}},
			},
			want: Pod{Spec: PodSpec{
				SecurityContext: restricted,
				Containers:      []Container{{Name: "web", SecurityContext: noEscalation}},
			}},
		},
		{
			name: "every kind of container, annotations and OS fields, in a deployment",
			path: field.NewPath("spec", "template"),
			meta: &metav1.ObjectMeta{Annotations: annotations, Labels: map[string]string{"app": "web"}},
			spec: corev1.PodSpec{
				OS:              &corev1.PodOS{Name: corev1.Linux},
				HostUsers:       new(true),
				SecurityContext: restricted,
				InitContainers:  []corev1.Container{{Name: "migrate", SecurityContext: noEscalation}},
				Containers: []corev1.Container{
					{Name: "web", SecurityContext: rootUser},
					{Name: "shipper", Ports: []corev1.ContainerPort{{ContainerPort: 9090}}},
				},
				EphemeralContainers: []corev1.EphemeralContainer{{
					EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", SecurityContext: rootUser},
					TargetContainerName:      "web",
				}},
			},
			want: Pod{
				Path:        field.NewPath("spec", "template"),
				Annotations: annotations,
				Spec: PodSpec{
					OS:                  &corev1.PodOS{Name: corev1.Linux},
					HostUsers:           new(true),
					SecurityContext:     restricted,
					InitContainers:      []Container{{Name: "migrate", SecurityContext: noEscalation}},
					Containers:          []Container{{Name: "web", SecurityContext: rootUser}, {Name: "shipper"}},
					EphemeralContainers: []Container{{Name: "debug", SecurityContext: rootUser}},
				},
			},
			violations: true,
		},
		{
			name: "no metadata, windows",
			spec: corev1.PodSpec{
				OS:         &corev1.PodOS{Name: corev1.Windows},
				Containers: []corev1.Container{{Name: "app"}},
			},
			want: Pod{Spec: PodSpec{
				OS:         &corev1.PodOS{Name: corev1.Windows},
				Containers: []Container{{Name: "app"}},
			}},
			violations: true,
		},
		{
			name: "user namespace",
			spec: corev1.PodSpec{
				HostUsers:       new(false),
				SecurityContext: restricted,
				Containers:      []corev1.Container{{Name: "app", SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: new(false), RunAsUser: new(int64(0))}}},
			},
			want: Pod{Spec: PodSpec{
				HostUsers:       new(false),
				SecurityContext: restricted,
				Containers:      []Container{{Name: "app", SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: new(false), RunAsUser: new(int64(0))}}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PodFromCore(tt.path, tt.meta, &tt.spec)
			require.Equal(t, tt.want, got)

			opts := DefaultOptions()
			fromCore := checkAll(&got, &opts)
			assert.Equal(t, checkAll(&tt.want, &opts), fromCore)
			assert.Equal(t, tt.violations, len(fromCore) > 0, "violations: %v", fromCore)
		})
	}
}

// The compliant pod every rule test starts from must pass every pod rule, in every place a pod can sit.
func TestCompliantPodPassesEveryRule(t *testing.T) {
	for name, place := range map[string]func(*Pod){
		"pod":                                func(*Pod) {},
		"deployment":                         inDeployment,
		"cronjob":                            inCronJob,
		"with init and ephemeral containers": withInitAndEphemeral,
	} {
		t.Run(name, func(t *testing.T) {
			pod := podWith(place)
			opts := DefaultOptions()
			assert.Empty(t, checkAll(&pod, &opts))
		})
	}
}

// A pod with no containers has nothing to judge; the API rejects it anyway, but the rules must not report a
// pod-level field that no container would inherit.
func TestPodWithoutContainers(t *testing.T) {
	pod := Pod{}
	opts := DefaultOptions()
	assert.Empty(t, checkAll(&pod, &opts))
}
