// Package verdict is kubeguard's one message builder: it turns violations into the words a developer reads,
// whether in a denial, a warning, an audit annotation or the offline checker's report.
package verdict
