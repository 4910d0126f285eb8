package deploy

import (
	"path"
	"strconv"
	"strings"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// inClusterSets are the values sets that run kubeguard in the cluster.
var inClusterSets = []string{"default", "cert-manager", "dry-run", "options"}

// TestInClusterObjectsFitTogether follows every reference between the rendered objects the way the
// API server and the kubelet will: webhook to Service, Service to pods, pods to ServiceAccount,
// flags to files, files to the ConfigMap and the certificate Secret.
func TestInClusterObjectsFitTogether(t *testing.T) {
	h := newHelm(t)
	for _, set := range inClusterSets {
		t.Run(set, func(t *testing.T) {
			ms := parseManifests(t, h.template(t, []string{valuesFile(set)}))
			var (
				deployment appsv1.Deployment
				service    corev1.Service
				configMap  corev1.ConfigMap
				account    corev1.ServiceAccount
				vwc        admissionregistrationv1.ValidatingWebhookConfiguration
			)
			decode(t, only(t, ms, "Deployment"), &deployment)
			decode(t, only(t, ms, "Service"), &service)
			decode(t, only(t, ms, "ConfigMap"), &configMap)
			decode(t, only(t, ms, "ValidatingWebhookConfiguration"), &vwc)
			pod := deployment.Spec.Template
			// The scheduled audit, when on, has a ServiceAccount of its own.
			for _, m := range ofKind(ms, "ServiceAccount") {
				if m.Name == pod.Spec.ServiceAccountName {
					decode(t, m, &account)
				}
			}
			require.Len(t, pod.Spec.Containers, 1)
			container := pod.Spec.Containers[0]

			selector, err := metav1.LabelSelectorAsSelector(deployment.Spec.Selector)
			require.NoError(t, err)
			assert.True(t, selector.Matches(labels.Set(pod.Labels)), "the Deployment does not select its own pods")
			assert.True(t, labels.SelectorFromSet(service.Spec.Selector).Matches(labels.Set(pod.Labels)), "the Service does not select the pods")
			assert.Equal(t, account.Name, pod.Spec.ServiceAccountName)
			assert.False(t, *account.AutomountServiceAccountToken, "the ServiceAccount mounts a token")

			ports := map[string]int32{}
			for _, p := range container.Ports {
				ports[p.Name] = p.ContainerPort
			}
			servicePorts := map[int32]string{}
			for _, p := range service.Spec.Ports {
				assert.Containsf(t, ports, p.TargetPort.StrVal, "Service port %s targets a port the container lacks", p.Name)
				servicePorts[p.Port] = p.TargetPort.StrVal
			}

			flags := flagValues(container.Args)
			assert.Equal(t, strconv.Itoa(int(ports["webhook"])), flags["--port"], "kubeguard listens elsewhere than the webhook port")
			assert.Equal(t, ":"+strconv.Itoa(int(ports["health"])), flags["--health-probe-bind-address"])
			for _, probe := range []*corev1.Probe{container.ReadinessProbe, container.LivenessProbe} {
				require.NotNil(t, probe)
				assert.Equal(t, "health", probe.HTTPGet.Port.StrVal)
			}
			if metricsPort, ok := ports["metrics"]; ok {
				assert.Equal(t, ":"+strconv.Itoa(int(metricsPort)), flags["--metrics-bind-address"])
			}

			tlsSecret := servingSecretName(t, ms, vwc)
			files := projectedFiles(t, pod.Spec, container)
			assert.Equal(t, projectedFile{"ConfigMap", configMap.Name, "config.yaml"}, files[flags["--config"]])
			assert.Contains(t, configMap.Data, "config.yaml")
			assert.Equal(t, projectedFile{"Secret", tlsSecret, "tls.crt"}, files[path.Join(flags["--cert-dir"], "tls.crt")])
			assert.Equal(t, projectedFile{"Secret", tlsSecret, "tls.key"}, files[path.Join(flags["--cert-dir"], "tls.key")])

			require.Len(t, vwc.Webhooks, 2)
			for _, w := range vwc.Webhooks {
				ref := w.ClientConfig.Service
				require.NotNilf(t, ref, "webhook %s has no service reference", w.Name)
				assert.Equal(t, service.Name, ref.Name)
				assert.Equal(t, service.Namespace, ref.Namespace)
				require.NotNil(t, ref.Port)
				assert.Equalf(t, "webhook", servicePorts[*ref.Port], "webhook %s calls a Service port that does not lead to kubeguard", w.Name)
			}
		})
	}
}

// flagValues reads `--flag value` pairs.
func flagValues(args []string) map[string]string {
	out := map[string]string{}
	for i, a := range args {
		if strings.HasPrefix(a, "--") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			out[a] = args[i+1]
		}
	}
	return out
}

// projectedFile says where a file in the container comes from.
type projectedFile struct{ Kind, Name, Key string }

// projectedFiles maps the absolute path of every file the container's projected volumes provide to
// its source.
func projectedFiles(t *testing.T, spec corev1.PodSpec, container corev1.Container) map[string]projectedFile {
	t.Helper()
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	files := map[string]projectedFile{}
	for _, mount := range container.VolumeMounts {
		volume, ok := volumes[mount.Name]
		require.Truef(t, ok, "mount %s has no volume", mount.Name)
		if volume.Projected == nil {
			continue
		}
		for _, source := range volume.Projected.Sources {
			switch {
			case source.ConfigMap != nil:
				for _, item := range source.ConfigMap.Items {
					files[path.Join(mount.MountPath, item.Path)] = projectedFile{"ConfigMap", source.ConfigMap.Name, item.Key}
				}
			case source.Secret != nil:
				for _, item := range source.Secret.Items {
					files[path.Join(mount.MountPath, item.Path)] = projectedFile{"Secret", source.Secret.Name, item.Key}
				}
			}
		}
	}
	return files
}

// servingSecretName is the Secret the serving certificate lands in: the chart's own, or the one
// cert-manager writes for the Certificate whose CA is injected into the webhook configuration.
func servingSecretName(t *testing.T, ms []manifest, vwc admissionregistrationv1.ValidatingWebhookConfiguration) string {
	t.Helper()
	inject, ok := vwc.Annotations["cert-manager.io/inject-ca-from"]
	if !ok {
		return only(t, ms, "Secret").Name
	}
	assert.Empty(t, ofKind(ms, "Secret"), "cert-manager writes the Secret; the chart must not")
	namespace, name, found := strings.Cut(inject, "/")
	require.Truef(t, found, "inject-ca-from %q is not namespace/name", inject)
	var cert cmapi.Certificate
	decode(t, named(t, ms, "Certificate", name), &cert)
	assert.Equal(t, namespace, cert.Namespace)
	for _, w := range vwc.Webhooks {
		assert.Emptyf(t, w.ClientConfig.CABundle, "webhook %s: cainjector fills caBundle; a rendered one would fight it", w.Name)
	}
	return cert.Spec.SecretName
}

// serviceMonitor is the part of a prometheus-operator ServiceMonitor that decides what is scraped.
type serviceMonitor struct {
	Spec struct {
		Selector          metav1.LabelSelector `json:"selector"`
		NamespaceSelector struct {
			MatchNames []string `json:"matchNames"`
		} `json:"namespaceSelector"`
		Endpoints []struct {
			Port string `json:"port"`
			Path string `json:"path"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// TestServiceMonitorScrapesTheService checks that the ServiceMonitor selects the chart's Service and
// names a port it has. (The test control plane has no prometheus-operator CRDs to validate it against.)
func TestServiceMonitorScrapesTheService(t *testing.T) {
	ms := parseManifests(t, newHelm(t).template(t, []string{valuesFile("options")}))
	var service corev1.Service
	decode(t, only(t, ms, "Service"), &service)
	var monitor serviceMonitor
	require.NoError(t, yaml.Unmarshal(only(t, ms, "ServiceMonitor").YAML, &monitor))

	selector, err := metav1.LabelSelectorAsSelector(&monitor.Spec.Selector)
	require.NoError(t, err)
	assert.True(t, selector.Matches(labels.Set(service.Labels)), "the ServiceMonitor does not select the Service")
	assert.Equal(t, []string{service.Namespace}, monitor.Spec.NamespaceSelector.MatchNames)
	require.Len(t, monitor.Spec.Endpoints, 1)
	var portNames []string
	for _, p := range service.Spec.Ports {
		portNames = append(portNames, p.Name)
	}
	assert.Contains(t, portNames, monitor.Spec.Endpoints[0].Port)
	assert.Equal(t, "/metrics", monitor.Spec.Endpoints[0].Path)
}
