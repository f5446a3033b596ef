// Package greet is a local module pulled in through a replace directive.
package greet

// Hello greets a name.
func Hello(name string) string { return "hello " + name }
