package objects

import (
	"fmt"

	"sigs.k8s.io/json"

	"github.com/kubeguard/kubeguard/rules"
)

// Object is what the rules need of one object, with the names used to talk about it.
type Object struct {
	Kind *Kind
	// Name is metadata.name, or metadata.generateName followed by "*" when the server is to pick the name.
	Name      string
	Namespace string
	// Pod is set for kinds that hold a pod spec, Binding for bindings.
	Pod     *rules.Pod
	Binding *rules.Binding
}

// objectMeta is the part of metadata that names an object.
type objectMeta struct {
	Name         string `json:"name"`
	GenerateName string `json:"generateName"`
	Namespace    string `json:"namespace"`
}

// podTemplate is a pod or a pod template: metadata (for the legacy AppArmor annotations) and spec.
type podTemplate struct {
	Metadata struct {
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec rules.PodSpec `json:"spec"`
}

// The JSON layouts of the shapes, decoded in one pass each; every other field is skipped.
type (
	podJSON struct {
		Metadata struct {
			objectMeta
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
		Spec rules.PodSpec `json:"spec"`
	}
	templateAtRootJSON struct {
		Metadata objectMeta  `json:"metadata"`
		Template podTemplate `json:"template"`
	}
	templateInSpecJSON struct {
		Metadata objectMeta `json:"metadata"`
		Spec     struct {
			Template podTemplate `json:"template"`
		} `json:"spec"`
	}
	templateInJobSpecJSON struct {
		Metadata objectMeta `json:"metadata"`
		Spec     struct {
			JobTemplate struct {
				Spec struct {
					Template podTemplate `json:"template"`
				} `json:"spec"`
			} `json:"jobTemplate"`
		} `json:"spec"`
	}
	bindingJSON struct {
		Metadata objectMeta `json:"metadata"`
		rules.Binding
	}
)

// Decode reads an object of kind k from its JSON. Field names are matched case-sensitively, as the API
// server does, so that a misspelt field is ignored here exactly as it is there.
func Decode(k *Kind, data []byte) (*Object, error) {
	obj := &Object{Kind: k}
	var meta objectMeta
	var tmpl *podTemplate
	var err error
	switch k.shape {
	case podAtRoot:
		var v podJSON
		err = unmarshal(data, &v)
		meta = v.Metadata.objectMeta
		tmpl = &podTemplate{Spec: v.Spec}
		tmpl.Metadata.Annotations = v.Metadata.Annotations
	case templateAtRoot:
		var v templateAtRootJSON
		err = unmarshal(data, &v)
		meta, tmpl = v.Metadata, &v.Template
	case templateInSpec:
		var v templateInSpecJSON
		err = unmarshal(data, &v)
		meta, tmpl = v.Metadata, &v.Spec.Template
	case templateInJobSpec:
		var v templateInJobSpecJSON
		err = unmarshal(data, &v)
		meta, tmpl = v.Metadata, &v.Spec.JobTemplate.Spec.Template
	case bindingSubjects:
		var v bindingJSON
		err = unmarshal(data, &v)
		meta, obj.Binding = v.Metadata, &v.Binding
	}
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", k.Kind, err)
	}
	obj.Name, obj.Namespace = meta.Name, meta.Namespace
	if obj.Name == "" && meta.GenerateName != "" {
		obj.Name = meta.GenerateName + "*"
	}
	if tmpl != nil {
		obj.Pod = &rules.Pod{Path: k.shape.templatePath(), Annotations: tmpl.Metadata.Annotations, Spec: tmpl.Spec}
	}
	return obj, nil
}

func unmarshal(data []byte, v any) error {
	return json.UnmarshalCaseSensitivePreserveInts(data, v)
}
