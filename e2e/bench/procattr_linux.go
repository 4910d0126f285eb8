package main

import "syscall"

// childProcAttr makes the kernel kill a server when the benchmark dies, so an interrupted run leaves nothing
// listening on its ports.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
