// Package bench holds benchmarks that compare stemgap with other ways of doing the same job
// (run by bench/postgis). The benchmarks are in its test files.
package bench
