// Command devcerts writes a fresh CA and a serving certificate for localhost into a directory, so that
// `make run` can serve the webhook on this machine: tls.crt and tls.key for kubeguard, ca.crt for
// clients (curl --cacert, or a webhook configuration's caBundle).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

func main() {
	dir := flag.String("dir", "bin/certs", "directory to write ca.crt, tls.crt and tls.key into")
	flag.Parse()
	if err := write(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "devcerts:", err)
		os.Exit(1)
	}
	fmt.Printf("devcerts: wrote %s (serving cert for localhost and 127.0.0.1; CA in ca.crt)\n", *dir)
}

func write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ca, err := framework.NewCA("kubeguard-local-ca")
	if err != nil {
		return err
	}
	serving, err := ca.IssueServing(framework.LoopbackHosts...)
	if err != nil {
		return err
	}
	if err := serving.WriteTo(dir); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "ca.crt"), framework.CABundle(ca), 0o644)
}
