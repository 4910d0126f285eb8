package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/uuid"
	"sigs.k8s.io/yaml"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// requester is who sends the benchmark's requests: a developer signed in through Microsoft Entra ID, as AKS
// names them. Neither the user nor the groups are exempt from kubeguard's rules.
var requester = authenticationv1.UserInfo{
	Username: "alice@contoso.com",
	UID:      "9c1e7a52-0f4d-4b8e-a1c3-6d2f8e4b7a90",
	Groups:   []string{"3f2a1c9e-5d4b-4c3a-9f1e-2b7d8a6c5e40", "system:authenticated"},
}

// writeTestdata makes the request bodies from testdata/manifests: each object goes through the API server
// (a server-side dry run, or a real create for the object an update starts from), so that it arrives as a
// webhook sees it, defaulted and with managedFields, and is wrapped in the AdmissionReview the API server
// would send.
func writeTestdata(ctx context.Context, cp *framework.ControlPlane, testdata string) error {
	kubectl, err := framework.Kubectl(cp.Kubeconfig)
	if err != nil {
		return err
	}
	manifests := filepath.Join(testdata, "manifests")
	create := func(b bodyFile) error {
		obj, err := runKubectl(ctx, kubectl, "create", "--dry-run=server", "--show-managed-fields", "-o", "json", "-f", filepath.Join(manifests, b.name+".yaml"))
		if err != nil {
			return err
		}
		return writeReview(b.path(testdata), admissionv1.Create, obj, nil, "CreateOptions", "kubectl-create")
	}
	for _, b := range mixedBodies {
		if b.name == "deployment-scale" {
			continue
		}
		if err := create(b); err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
	}
	large, err := largeDeployment(filepath.Join(manifests, "deployment-compliant.yaml"))
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bench-testdata")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	largeManifest := filepath.Join(dir, largeBody.name+".json")
	if err := os.WriteFile(largeManifest, large, 0o644); err != nil {
		return err
	}
	obj, err := runKubectl(ctx, kubectl, "create", "--dry-run=server", "--show-managed-fields", "-o", "json", "-f", largeManifest)
	if err != nil {
		return fmt.Errorf("%s: %w", largeBody.name, err)
	}
	if err := writeReview(largeBody.path(testdata), admissionv1.Create, obj, nil, "CreateOptions", "kubectl-client-side-apply"); err != nil {
		return err
	}

	// The update scales the compliant Deployment: kubectl patch, as `kubectl apply` of a new replica count
	// or an autoscaler's edit would send it.
	deployment := filepath.Join(manifests, "deployment-compliant.yaml")
	if _, err := runKubectl(ctx, kubectl, "create", "-f", deployment); err != nil {
		return err
	}
	old, err := runKubectl(ctx, kubectl, "get", "--show-managed-fields", "-o", "json", "-f", deployment)
	if err != nil {
		return err
	}
	scaled, err := runKubectl(ctx, kubectl, "patch", "-f", deployment, "--type=merge", "-p", `{"spec":{"replicas":3}}`, "--dry-run=server", "--show-managed-fields", "-o", "json")
	if err != nil {
		return err
	}
	return writeReview(bodyFile{name: "deployment-scale"}.path(testdata), admissionv1.Update, scaled, old, "UpdateOptions", "kubectl-patch")
}

func runKubectl(ctx context.Context, kubectl *framework.CLI, args ...string) ([]byte, error) {
	res, err := kubectl.Run(ctx, args...)
	if err != nil {
		return nil, err
	}
	if res.ExitCode != 0 {
		return nil, fmt.Errorf("%s", res)
	}
	return []byte(res.Stdout), nil
}

// writeReview writes the AdmissionReview for an operation on obj (old is the stored object of an update).
func writeReview(path string, op admissionv1.Operation, obj, old []byte, optionsKind, fieldManager string) error {
	var meta struct {
		metav1.TypeMeta   `json:",inline"`
		metav1.ObjectMeta `json:"metadata"`
	}
	if err := json.Unmarshal(obj, &meta); err != nil {
		return err
	}
	gvk := meta.GroupVersionKind()
	// The API server sends objects compact.
	object, err := compact(obj)
	if err != nil {
		return err
	}
	oldObject, err := compact(old)
	if err != nil {
		return err
	}
	options, err := json.Marshal(map[string]string{
		"kind": optionsKind, "apiVersion": "meta.k8s.io/v1", "fieldManager": fieldManager, "fieldValidation": "Strict",
	})
	if err != nil {
		return err
	}
	kind := metav1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}
	resource := metav1.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: resourceOf(gvk)}
	review := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: admissionv1.SchemeGroupVersion.String(), Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:             uuid.NewUUID(),
			Kind:            kind,
			Resource:        resource,
			RequestKind:     &kind,
			RequestResource: &resource,
			Name:            meta.Name,
			Namespace:       meta.Namespace,
			Operation:       op,
			UserInfo:        requester,
			Object:          runtime.RawExtension{Raw: object},
			OldObject:       runtime.RawExtension{Raw: oldObject},
			DryRun:          new(false),
			Options:         runtime.RawExtension{Raw: options},
		},
	}
	data, err := json.Marshal(&review)
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// largeEnv is how many environment variables make the large Deployment's review about 100 KB.
const largeEnv = 310

// largeDeployment is the Deployment of path renamed web-large, its first container given largeEnv
// environment variables, and annotated with its own last-applied-configuration, as `kubectl apply` leaves it.
func largeDeployment(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d appsv1.Deployment
	if err := yaml.UnmarshalStrict(data, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d.Name = "web-large"
	labels := map[string]string{"app": "web-large"}
	d.Labels, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels = labels, labels, labels
	c := &d.Spec.Template.Spec.Containers[0]
	for i := range largeEnv {
		c.Env = append(c.Env, corev1.EnvVar{
			Name:  fmt.Sprintf("FEATURE_FLAG_%04d_ENABLED_FOR_TENANT", i),
			Value: fmt.Sprintf("tenant-%04d.payments.contoso.example:enabled", i),
		})
	}
	applied, err := json.Marshal(&d)
	if err != nil {
		return nil, err
	}
	d.Annotations = map[string]string{"kubectl.kubernetes.io/last-applied-configuration": string(applied)}
	return json.Marshal(&d)
}

// resourceOf names the resource of the kinds in testdata/manifests.
func resourceOf(gvk schema.GroupVersionKind) string {
	return strings.ToLower(gvk.Kind) + "s"
}

func compact(data []byte) ([]byte, error) {
	if data == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
