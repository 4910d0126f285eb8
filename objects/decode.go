package objects

import (
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"sync"

	"github.com/kubeguard/kubeguard/rules"
)

// Object is what the rules need of one object, with the names used to talk about it.
type Object struct {
	Kind *Kind
	// Name is metadata.name, or metadata.generateName followed by "*" when the server is to pick the name.
	Name      string
	Namespace string
	// Exactly one view is set: Pod for kinds that hold a pod spec, Binding for bindings, DisruptionBudget
	// for PodDisruptionBudgets.
	Pod              *rules.Pod
	Binding          *rules.Binding
	DisruptionBudget *rules.DisruptionBudget
}

// Document is the union of the layouts of every judged kind, as far as the rules read them: a Pod's spec,
// the pod template of a workload (spec.template), of a CronJob (spec.jobTemplate.spec.template) or of a
// PodTemplate (template), a binding's subjects, and a PodDisruptionBudget's spec.minAvailable and
// spec.maxUnavailable. These paths do not overlap, so one Document decodes an
// object of any judged kind in a single pass that skips every other field, before its kind is even known:
// the webhook decodes an AdmissionReview's object while it decodes the review. The templates are pointers so
// that only the one an object has is allocated: every review holds two Documents.
type Document struct {
	Metadata struct {
		Name          string              `json:"name"`
		GenerateName  string              `json:"generateName"`
		Namespace     string              `json:"namespace"`
		Annotations   appArmorAnnotations `json:"annotations"`
		Labels        Unread              `json:"labels"`
		ManagedFields Unread              `json:"managedFields"`
	} `json:"metadata"`
	Spec struct {
		rules.PodSpec
		rules.DisruptionBudget
		Template    *podTemplate `json:"template"`
		JobTemplate struct {
			Spec struct {
				Template *podTemplate `json:"template"`
			} `json:"spec"`
		} `json:"jobTemplate"`
	} `json:"spec"`
	Template *podTemplate `json:"template"`
	rules.Binding
	Status Unread `json:"status"`
}

// podTemplate is a pod template's metadata (for the legacy AppArmor annotations) and spec.
type podTemplate struct {
	Metadata struct {
		Annotations appArmorAnnotations `json:"annotations"`
		Labels      Unread              `json:"labels"`
	} `json:"metadata"`
	Spec rules.PodSpec `json:"spec"`
}

// Unread is a member nobody reads that can be large: metadata.managedFields is often half of an object,
// labels and status come with most. The fast path steps over every member a struct does not declare in one
// scan of its bytes; the JSON package skips those token by token, each checked against the struct's names,
// but steps over one declared as Unread in one scan, with the same checks of its syntax and nesting, and
// nothing copied or kept.
type Unread struct{}

// UnmarshalJSONFrom steps over the value.
func (*Unread) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	_, err := dec.ReadValue()
	return err
}

// apiServerJSON matches how the API server reads JSON (sigs.k8s.io/json): names are case-sensitive, a
// duplicate name merges into the earlier value as encoding/json does (a later null keeps it), and invalid
// UTF-8 is not a reason to fail.
var apiServerJSON = json.JoinOptions(
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
	jsonv1.MergeWithLegacySemantics(true),
)

// Unmarshal decodes one request's or one manifest's JSON into v (a Document, or a struct holding
// Documents) the way the API server reads JSON, within the limits of limits.go, counted afresh for each
// call. Plain input takes the fast path (fast.go); the JSON package decides the rest.
func Unmarshal(data []byte, v any) error {
	if fastUnmarshal(data, v) {
		return nil
	}
	return unmarshalJSON(data, v)
}

// unmarshalJSON decodes with the JSON package, whatever the input.
func unmarshalJSON(data []byte, v any) error {
	d := decoders.Get().(*decoder)
	defer decoders.Put(d)
	d.limits = limits{}
	return json.Unmarshal(data, v, d.options)
}

// UnmarshalDocument decodes one object's JSON into d.
func UnmarshalDocument(data []byte, d *Document) error {
	return Unmarshal(data, d)
}

// decoder is the options of one decoding and the counts its limits keep. The options are kept with their
// counts and reused: the JSON package caches how to decode each type per options value, and building
// that cache anew for every request would cost more than decoding.
type decoder struct {
	limits
	options json.Options
}

var decoders = sync.Pool{New: func() any {
	d := new(decoder)
	d.options = json.JoinOptions(apiServerJSON, json.WithUnmarshalers(d.limits.unmarshalers()))
	return d
}}

// Object picks out of the document what kind k keeps where.
func (d *Document) Object(k *Kind) *Object {
	obj := &Object{Kind: k, Name: d.Metadata.Name, Namespace: d.Metadata.Namespace}
	if obj.Name == "" && d.Metadata.GenerateName != "" {
		obj.Name = d.Metadata.GenerateName + "*"
	}
	var tmpl *podTemplate
	switch k.shape {
	case podAtRoot:
		obj.Pod = &rules.Pod{Annotations: map[string]string(d.Metadata.Annotations), Spec: d.Spec.PodSpec}
		return obj
	case templateAtRoot:
		tmpl = d.Template
	case templateInSpec:
		tmpl = d.Spec.Template
	case templateInJobSpec:
		tmpl = d.Spec.JobTemplate.Spec.Template
	case bindingSubjects:
		obj.Binding = &d.Binding
		obj.Binding.ClusterWide = !k.Namespaced
		return obj
	case disruptionBudget:
		obj.DisruptionBudget = &d.Spec.DisruptionBudget
		return obj
	}
	if tmpl == nil {
		// A missing or null template is judged as an empty one.
		tmpl = &podTemplate{}
	}
	obj.Pod = &rules.Pod{Path: k.shape.templatePath(), Annotations: map[string]string(tmpl.Metadata.Annotations), Spec: tmpl.Spec}
	return obj
}
