package objects

// fieldTable finds a struct's member by its JSON name. Every member name of every object the fast path
// reads is looked up, most of them names the rules do not read: a hash of three bytes and the length, and
// one comparison in most cases, costs less than hashing the whole name as a map does.
type fieldTable struct {
	// slots hold the members at their hash, each in the first free slot from there; a power of two in
	// size, at least twice the members, so that the free slot that ends a search comes soon.
	slots []*fieldPlan
}

func newFieldTable(fields map[string]*fieldPlan) fieldTable {
	size := 4
	for size < 2*len(fields) {
		size *= 2
	}
	t := fieldTable{slots: make([]*fieldPlan, size)}
	for _, f := range fields {
		i := t.home([]byte(f.name))
		for t.slots[i] != nil {
			i = (i + 1) & (len(t.slots) - 1)
		}
		t.slots[i] = f
	}
	return t
}

// home is the slot where a search for name starts.
func (t fieldTable) home(name []byte) int {
	h := uint(len(name))
	if len(name) > 0 {
		h = h*0x9e3779b1 ^ uint(name[0])*31 ^ uint(name[len(name)/2])*131 ^ uint(name[len(name)-1])
	}
	h ^= h >> 7
	return int(h) & (len(t.slots) - 1)
}

// find returns the member named name, or nil.
func (t fieldTable) find(name []byte) *fieldPlan {
	if len(t.slots) == 0 {
		return nil
	}
	for i := t.home(name); ; i = (i + 1) & (len(t.slots) - 1) {
		f := t.slots[i]
		if f == nil || f.name == string(name) {
			return f
		}
	}
}
