package rules

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The lists a pod spec keeps containers in, as named in the API.
const (
	initContainers      = "initContainers"
	containers          = "containers"
	ephemeralContainers = "ephemeralContainers"
)

// containerRef is one container together with where it sits in the pod spec.
type containerRef struct {
	list  string
	index int
	c     *Container
}

// path is the container's path from the object's root, followed by elems.
func (r containerRef) path(pod *Pod, elems ...string) *field.Path {
	return pod.specPath().Child(r.list).Index(r.index).Child(elems[0], elems[1:]...)
}

// forEachContainer hands every container to visit: init containers first, then regular, then ephemeral,
// the order the kubelet starts them in and the order violations are reported in.
func (p *Pod) forEachContainer(visit func(ref containerRef)) {
	for i := range p.Spec.InitContainers {
		visit(containerRef{initContainers, i, &p.Spec.InitContainers[i]})
	}
	for i := range p.Spec.Containers {
		visit(containerRef{containers, i, &p.Spec.Containers[i]})
	}
	for i := range p.Spec.EphemeralContainers {
		visit(containerRef{ephemeralContainers, i, &p.Spec.EphemeralContainers[i]})
	}
}

// containerCount is the number of containers of every kind.
func (p *Pod) containerCount() int {
	return len(p.Spec.InitContainers) + len(p.Spec.Containers) + len(p.Spec.EphemeralContainers)
}

// containerNames lists the names of every container in visiting order.
func (p *Pod) containerNames() []string {
	names := make([]string, 0, p.containerCount())
	p.forEachContainer(func(ref containerRef) { names = append(names, ref.c.Name) })
	return names
}

// quoteNames renders names as `"a", "b"` for messages.
func quoteNames(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(quoted, ", ")
}
