package framework

import "syscall"

// childProcAttr makes the kernel kill kubeguard when the process that started it dies, so a test binary
// killed by `go test -timeout` or a crashed `make up` leaves no webhook server behind on its port.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
