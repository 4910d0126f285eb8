package framework

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// nodeReadyTimeout bounds how long kwok may take to report a new node Ready.
const nodeReadyTimeout = 60 * time.Second

// AddNode registers a fake node, as a kubelet would on joining, and returns once it is Ready. kwok
// plays its kubelet: it keeps the node Ready and runs the pods bound to it, without containers.
func AddNode(ctx context.Context, client kubernetes.Interface, name string) error {
	return AddTaintedNode(ctx, client, name)
}

// AddTaintedNode is AddNode for a node that carries taints from its registration on, as a dedicated AKS
// node pool's nodes do: only pods that tolerate them are ever scheduled there.
func AddTaintedNode(ctx context.Context, client kubernetes.Interface, name string, taints ...corev1.Taint) error {
	node := &corev1.Node{
		Spec: corev1.NodeSpec{Taints: taints},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{FakeNodeAnnotation: fakeNodeValue},
			Labels: map[string]string{
				corev1.LabelHostname:   name,
				corev1.LabelOSStable:   "linux",
				corev1.LabelArchStable: "amd64",
				"type":                 "kwok",
			},
		},
	}
	if _, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("registering node %s: %w", name, err)
	}
	return WaitForNodeReady(ctx, client, name)
}

// WaitForNodeReady polls until the node reports the Ready condition True.
func WaitForNodeReady(ctx context.Context, client kubernetes.Interface, name string) error {
	ctx, cancel := context.WithTimeout(ctx, nodeReadyTimeout)
	defer cancel()
	for {
		node, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err == nil && NodeReady(node) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("node %s not Ready within %s (last error: %v); is kwok running?", name, nodeReadyTimeout, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// NodeReady reports whether the node's Ready condition is True.
func NodeReady(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// NodeName names the i-th fake node of a cluster (from 0): node-1, node-2, …
func NodeName(i int) string {
	return fmt.Sprintf("node-%d", i+1)
}
