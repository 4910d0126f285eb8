package objects

import (
	"encoding"
	"reflect"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kubeguard/kubeguard/rules"
)

// The fast path. The JSON package decodes any Go type, and pays for it on every value: it looks each member
// name up in a map, folds the unknown ones to try them case-insensitively, looks each value's type up among
// the limits' unmarshalers, and skips what nobody reads token by token. Nearly every request is a plain
// object the API server wrote, so Unmarshal first tries a decoder planned once per Go type from the same
// struct fields and JSON names (the one declaration of what the rules read). It reads the bytes with its
// own scanner (scan.go), not the JSON package's tokenizer, and handles only the plain case: every value of
// the type its field expects (or null), no name twice in an object, integers as plain digits in range,
// strings without escapes or non-ASCII bytes, fields without custom decoding. Values nobody reads may hold
// anything valid: they are stepped over.
//
// On anything else, and on any syntax error or limit reached, it gives up, zeroes the value and leaves the
// whole input to the JSON package, which decides as it always did: what the fast path accepts it decodes to
// exactly what the JSON package would (FuzzFastPathAgrees), and what it declines costs one partial pass
// more, bounded by the same limits (an attacker's input is decoded at most twice). It keeps no more than the
// JSON package does: skipped values are stepped over, never copied.

// planKind is how the fast path decodes a Go type.
type planKind uint8

const (
	// declined types make the fast path give up when their value is present.
	declined planKind = iota
	structKind
	pointerKind
	sliceKind
	stringKind
	boolKind
	intKind
	uintKind
	unreadKind
	annotationsKind
)

// plan is how the fast path decodes one Go type.
type plan struct {
	kind planKind
	typ  reflect.Type
	// bits is an integer's size.
	bits int
	// elem is the plan of a pointer's or slice's element.
	elem *plan
	// fields are a struct's members by JSON name, embedded structs' members inlined; lookup finds them.
	fields map[string]*fieldPlan
	lookup fieldTable
	// counted is the limit that each value of the type counts against, if any.
	counted counted
}

type fieldPlan struct {
	name  string
	index []int
	// id numbers the struct's members, to notice one named twice.
	id   int
	plan *plan
}

// counted names the limit a type's values count against.
type counted uint8

const (
	uncounted counted = iota
	countedContainer
	countedSubject
)

// maxFastFields bounds the members of a struct the fast path decodes: it notes the ones seen in a word.
const maxFastFields = 64

var (
	unreadType      = reflect.TypeFor[Unread]()
	annotationsType = reflect.TypeFor[appArmorAnnotations]()
	containerType   = reflect.TypeFor[rules.Container]()
	subjectType     = reflect.TypeFor[rbacv1.Subject]()

	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	unmarshalerFromType = reflect.TypeFor[json.UnmarshalerFrom]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// plans holds the plans being built, under its lock; built holds every complete plan, read without a lock
// by every request. A plan never changes once built.
var (
	plans struct {
		sync.Mutex
		byType map[reflect.Type]*plan
	}
	built sync.Map
)

// planOf returns the plan of t, building it on first use.
func planOf(t reflect.Type) *plan {
	if p, ok := built.Load(t); ok {
		return p.(*plan)
	}
	plans.Lock()
	defer plans.Unlock()
	if plans.byType == nil {
		plans.byType = map[reflect.Type]*plan{}
	}
	p := buildPlan(t)
	built.Store(t, p)
	return p
}

func buildPlan(t reflect.Type) *plan {
	if p, ok := plans.byType[t]; ok {
		return p
	}
	p := &plan{typ: t}
	// Registered before its elements are planned, so that a type that holds itself ends.
	plans.byType[t] = p
	switch {
	case t == unreadType:
		p.kind = unreadKind
		return p
	case t == annotationsType:
		p.kind = annotationsKind
		return p
	case hasCustomDecoding(t):
		return p
	}
	switch t {
	case containerType:
		p.counted = countedContainer
	case subjectType:
		p.counted = countedSubject
	}
	switch t.Kind() {
	case reflect.Struct:
		p.fields = map[string]*fieldPlan{}
		if !addFields(p, t, nil) || len(p.fields) > maxFastFields {
			p.fields = nil
			return p
		}
		p.kind = structKind
		p.lookup = newFieldTable(p.fields)
	case reflect.Pointer:
		p.kind, p.elem = pointerKind, buildPlan(t.Elem())
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return p // base64
		}
		p.kind, p.elem = sliceKind, buildPlan(t.Elem())
	case reflect.String:
		p.kind = stringKind
	case reflect.Bool:
		p.kind = boolKind
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.kind, p.bits = intKind, t.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		p.kind, p.bits = uintKind, t.Bits()
	}
	return p
}

// hasCustomDecoding reports whether the JSON package decodes t with t's own methods.
func hasCustomDecoding(t reflect.Type) bool {
	for _, x := range []reflect.Type{t, reflect.PointerTo(t)} {
		if x.Implements(unmarshalerType) || x.Implements(unmarshalerFromType) || x.Implements(textUnmarshalerType) {
			return true
		}
	}
	return false
}

// addFields adds the members of struct t, found at index within the planned struct, as the JSON package
// names them; it reports false for a layout it does not follow exactly (tag options that change the
// decoding, names that collide), which the fast path then declines.
func addFields(p *plan, t reflect.Type, index []int) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		for opt := range strings.SplitSeq(opts, ",") {
			if opt != "" && opt != "omitempty" && opt != "omitzero" {
				return false
			}
		}
		at := append(append([]int(nil), index...), i)
		if f.Anonymous && name == "" {
			if f.Type.Kind() != reflect.Struct {
				if !f.IsExported() {
					continue
				}
				return false
			}
			if !addFields(p, f.Type, at) {
				return false
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if !hasTag || name == "" {
			name = f.Name
		}
		if strings.ContainsAny(name, `'"\`) {
			return false
		}
		if _, taken := p.fields[name]; taken {
			return false
		}
		p.fields[name] = &fieldPlan{name: name, index: at, id: len(p.fields), plan: buildPlan(f.Type)}
	}
	return true
}

// fastDecoder is the state of one fast decoding: the scanner over the input and the limits' counts.
type fastDecoder struct {
	scan scanner
	limits
	strings stringCache
}

// stringCache keeps recent short strings, so that the values every request repeats (container names,
// "RuntimeDefault", "ALL", "CREATE") are not allocated anew each time. It is a fixed table indexed by a hash
// of the bytes, each slot holding the last string that fell there: whatever an input holds, it keeps at
// most len(stringCache) strings of at most maxCachedString bytes.
type stringCache [256]string

const maxCachedString = 32

func (c *stringCache) make(b []byte) string {
	if len(b) == 0 || len(b) > maxCachedString {
		return string(b)
	}
	h := uint32(len(b))
	for _, x := range b {
		h = h*31 + uint32(x)
	}
	slot := &c[h%uint32(len(c))]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}

var fastDecoders = sync.Pool{New: func() any { return new(fastDecoder) }}

// fastUnmarshal decodes data into v (a non-nil pointer to a zero value) and reports true when the input
// is of the plain kind the fast path takes; otherwise it leaves v zero and reports false.
func fastUnmarshal(data []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return false
	}
	out := rv.Elem()
	p := planOf(out.Type())
	if p.kind == declined || !out.IsZero() {
		return false
	}
	d := fastDecoders.Get().(*fastDecoder)
	defer fastDecoders.Put(d)
	d.limits = limits{}
	d.scan.reset(data)
	ok := d.value(p, out) && d.scan.done()
	// A pooled decoder keeps no request's bytes.
	d.scan.reset(nil)
	if !ok {
		out.SetZero()
	}
	return ok
}

// value decodes the next value into v, of plan p.
func (d *fastDecoder) value(p *plan, v reflect.Value) bool {
	s := &d.scan
	next := s.space()
	if p.kind != declined && next == 'n' {
		// Null leaves the value zero (a pointer, slice or map nil) as the JSON package does, and every
		// value the fast path decodes into is still zero here: no member is decoded twice.
		return s.literal("null")
	}
	switch p.kind {
	case structKind:
		return d.object(p, v)
	case pointerKind:
		if !v.IsNil() {
			return false
		}
		v.Set(reflect.New(p.typ.Elem()))
		return d.value(p.elem, v.Elem())
	case sliceKind:
		return d.array(p, v)
	case stringKind:
		str, ok := d.plainString()
		if ok {
			v.SetString(str)
		}
		return ok
	case boolKind:
		switch {
		case next == 't' && s.literal("true"):
			v.SetBool(true)
			return true
		case next == 'f' && s.literal("false"):
			return true
		}
		return false
	case intKind:
		n, ok := d.integer(p.bits, true)
		if ok {
			v.SetInt(n)
		}
		return ok
	case uintKind:
		n, ok := d.integer(p.bits, false)
		if ok {
			v.SetUint(uint64(n))
		}
		return ok
	case unreadKind:
		return s.skip()
	case annotationsKind:
		return d.annotationObject(v.Addr().Interface().(*appArmorAnnotations))
	}
	return false
}

// object decodes a JSON object into struct v, skipping the members p does not name.
func (d *fastDecoder) object(p *plan, v reflect.Value) bool {
	s := &d.scan
	if !s.enter('{') {
		return false
	}
	if s.empty('}') {
		return true
	}
	var seen uint64
	for {
		name, ok := s.name()
		if !ok {
			return false
		}
		if f := p.lookup.find(name); f == nil {
			if !s.skip() {
				return false
			}
		} else {
			if seen&(1<<f.id) != 0 {
				return false
			}
			seen |= 1 << f.id
			if !d.value(f.plan, v.FieldByIndex(f.index)) {
				return false
			}
		}
		if more, ok := s.more('}'); !ok || !more {
			return ok
		}
	}
}

// array decodes a JSON array into the nil slice v, counting its elements against the limits.
func (d *fastDecoder) array(p *plan, v reflect.Value) bool {
	s := &d.scan
	if !v.IsNil() || !s.enter('[') {
		return false
	}
	if s.empty(']') {
		v.Set(reflect.MakeSlice(p.typ, 0, 0))
		return true
	}
	for n := 0; ; n++ {
		if !d.count(p.elem.counted) {
			return false
		}
		if n == v.Cap() {
			v.Grow(1)
		}
		v.SetLen(n + 1)
		if !d.value(p.elem, v.Index(n)) {
			return false
		}
		if more, ok := s.more(']'); !ok || !more {
			return ok
		}
	}
}

// count counts one value against its limit, and reports false past it.
func (d *fastDecoder) count(c counted) bool {
	switch c {
	case countedContainer:
		d.containers++
		return d.containers <= MaxContainers
	case countedSubject:
		d.subjects++
		return d.subjects <= MaxSubjects
	}
	return true
}

// plainString reads a string without escapes or non-ASCII bytes, whose text is its bytes.
func (d *fastDecoder) plainString() (string, bool) {
	raw, ok := d.plainBytes()
	if !ok {
		return "", false
	}
	return d.strings.make(raw), true
}

// plainBytes reads a string without escapes or non-ASCII bytes, returning its bytes.
func (d *fastDecoder) plainBytes() ([]byte, bool) {
	raw, escaped, ok := d.scan.string()
	if !ok || escaped {
		return nil, false
	}
	for _, c := range raw {
		if c >= 0x80 {
			return nil, false
		}
	}
	return raw, true
}

// integer reads an integer written as plain digits that fits in bits (signed or not).
func (d *fastDecoder) integer(bits int, signed bool) (int64, bool) {
	raw, ok := d.scan.number()
	if !ok {
		return 0, false
	}
	negative := raw[0] == '-'
	if negative {
		if !signed {
			return 0, false
		}
		raw = raw[1:]
	}
	// Nineteen digits always fit in a uint64; longer numbers are left to the JSON package.
	if len(raw) == 0 || len(raw) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	switch {
	case !signed && bits < 64 && u >= 1<<bits:
		return 0, false
	case !signed:
		return int64(u), true
	case negative && u > 1<<(bits-1):
		return 0, false
	case negative:
		return -int64(u), true
	case u >= 1<<(bits-1):
		return 0, false
	}
	return int64(u), true
}

// annotationObject reads an annotations object as limits.readAnnotations does, keeping the annotations the
// rules read. Keys are matched by their bytes: one with escapes or non-ASCII bytes is left to the JSON
// package.
func (d *fastDecoder) annotationObject(m *appArmorAnnotations) bool {
	s := &d.scan
	if *m != nil || !s.enter('{') {
		return false
	}
	if s.empty('}') {
		return true
	}
	for {
		raw, ok := s.name()
		if !ok {
			return false
		}
		for _, c := range raw {
			if c >= 0x80 {
				return false
			}
		}
		if key := string(raw); !rules.ReadsAnnotation(key) {
			if !s.skip() {
				return false
			}
		} else {
			value, ok := d.plainBytes()
			if !ok {
				return false
			}
			if rules.IsSeccompAnnotation(key) {
				if d.seccompAnnotations++; d.seccompAnnotations > MaxSeccompAnnotations {
					return false
				}
			} else if d.annotations++; d.annotations > MaxAppArmorAnnotations {
				return false
			}
			if *m == nil {
				*m = appArmorAnnotations{}
			}
			(*m)[key] = string(value)
		}
		if more, ok := s.more('}'); !ok || !more {
			return ok
		}
	}
}
