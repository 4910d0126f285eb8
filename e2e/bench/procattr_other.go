//go:build !linux

package main

import "syscall"

// childProcAttr has no way to tie a child's life to the benchmark's outside Linux.
func childProcAttr() *syscall.SysProcAttr { return nil }
