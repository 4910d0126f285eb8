// Command generate rewrites every file, or part of a file, that repeats what the registries (rules.All and
// rules.AuditChecks) declare: the rule and audit check tables and sections, the settings and profile
// tables of docs/rules.md, the README's two tables, the chart's schema for rule and check settings and
// profiles, and the profile and audit check comments of its values.yaml. `make
// generate` runs it (and regenerates the `kubeguard rules` goldens); go test ./hack/generate fails with
// "run make generate" while any of these files differs from what it would write.
//
// Usage: go run ./hack/generate [-root DIR]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	root := flag.String("root", ".", "the repository's root")
	flag.Parse()
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

// run writes every generated file under root that differs from what the registries say.
func run(root string) error {
	reg := registries()
	for _, out := range outputs() {
		path := filepath.Join(root, out.path)
		current, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		want, err := out.render(reg, current)
		if err != nil {
			return fmt.Errorf("%s: %w", out.path, err)
		}
		if bytes.Equal(current, want) {
			continue
		}
		if err := os.WriteFile(path, want, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", out.path)
	}
	return nil
}
