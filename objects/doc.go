// Package objects knows the kinds kubeguard judges and reads, from an object's JSON, only what the rules
// need: the pod spec of a Pod or of a workload's pod template, or a binding's subjects.
package objects
