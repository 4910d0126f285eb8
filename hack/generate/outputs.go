package main

// output is one generated file: its path from the repository's root, and how to render it from the
// registries and its current content (the hand-written parts around and between the generated ones are
// kept as they are).
type output struct {
	path   string
	render func(reg []registry, current []byte) ([]byte, error)
}

// outputs lists every file the generator writes.
func outputs() []output {
	return []output{
		{path: "docs/rules.md", render: renderRulesDoc},
		{path: "README.md", render: renderReadme},
		{path: "deploy/charts/kubeguard/values.schema.json", render: renderSchema},
		{path: "deploy/charts/kubeguard/values.yaml", render: renderValues},
	}
}
