package objects

import (
	"errors"
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kubeguard/kubeguard/rules"
)

// Limits on what one request (or one manifest) may make kubeguard hold in memory. Every pod spec and binding
// in it counts, the old object's too. The API server accepts objects of up to about 3 MiB, and nothing keeps
// a request from listing a million empty containers in that space: without a limit, judging one such request
// took gigabytes. Real pods have a few containers and real bindings a few dozen subjects, so the limits are
// far above anything legitimate; a request over them is refused as unreadable.
const (
	MaxContainers = 2000
	MaxSubjects   = 20000
	// MaxAppArmorAnnotations bounds the legacy per-container AppArmor annotations, kept for the rules.
	MaxAppArmorAnnotations = 2000
	// MaxSeccompAnnotations bounds the seccomp alpha annotations (one per container and the pod's), kept
	// for the rules.
	MaxSeccompAnnotations = MaxContainers + 1
)

// limits counts, for one decoding, what the limits bound.
type limits struct {
	containers, subjects, annotations, seccompAnnotations int
}

// unmarshalers count containers and subjects as they are decoded, leaving the decoding itself to the
// defaults (errors.ErrUnsupported), and keep only the annotations the rules read.
func (l *limits) unmarshalers() *json.Unmarshalers {
	return json.JoinUnmarshalers(
		json.UnmarshalFromFunc(func(*jsontext.Decoder, *rules.Container) error {
			if l.containers++; l.containers > MaxContainers {
				return fmt.Errorf("more than %d containers", MaxContainers)
			}
			return errors.ErrUnsupported
		}),
		json.UnmarshalFromFunc(func(*jsontext.Decoder, *rbacv1.Subject) error {
			if l.subjects++; l.subjects > MaxSubjects {
				return fmt.Errorf("more than %d subjects", MaxSubjects)
			}
			return errors.ErrUnsupported
		}),
		json.UnmarshalFromFunc(l.readAnnotations),
	)
}

// appArmorAnnotations are an object's annotations as the rules read them: only the legacy AppArmor ones and
// the seccomp alpha ones (rules.ReadsAnnotation). The others (up to 256 KiB in a real object, the whole body in a crafted one) are skipped, not copied.
type appArmorAnnotations map[string]string

// readAnnotations reads an annotations object, keeping those the rules read. Like encoding/json, it adds to
// a map already there (a duplicate "annotations" key) and null empties it.
func (l *limits) readAnnotations(dec *jsontext.Decoder, m *appArmorAnnotations) error {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		*m = nil
		return err
	}
	if tok, err := dec.ReadToken(); err != nil {
		return err
	} else if tok.Kind() != '{' {
		return fmt.Errorf("annotations must be an object, not %v", tok.Kind())
	}
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		// A token is valid only until the next read: take the key's text now.
		key := tok.String()
		if !rules.ReadsAnnotation(key) {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		value, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if value.Kind() != '"' {
			return fmt.Errorf("annotation %q must be a string", key)
		}
		if rules.IsSeccompAnnotation(key) {
			if l.seccompAnnotations++; l.seccompAnnotations > MaxSeccompAnnotations {
				return fmt.Errorf("more than %d seccomp annotations", MaxSeccompAnnotations)
			}
		} else if l.annotations++; l.annotations > MaxAppArmorAnnotations {
			return fmt.Errorf("more than %d AppArmor annotations", MaxAppArmorAnnotations)
		}
		if *m == nil {
			*m = appArmorAnnotations{}
		}
		(*m)[key] = value.String()
	}
	_, err := dec.ReadToken()
	return err
}
