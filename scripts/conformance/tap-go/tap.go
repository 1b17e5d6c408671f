// Package tap is a small Test Anything Protocol (version 13) writer with the
// API of github.com/mndrix/tap-go, which Debian does not package; the OCI
// runtime-tools validation suite is built against it by scripts/conformance.sh.
package tap

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// T writes one TAP stream.
type T struct {
	nextTestNumber *int
	// TODO marks the next results as TODO (failures are then expected).
	TODO   bool
	Writer io.Writer
}

// New starts a TAP stream on stdout.
func New() *T {
	n := 1
	return &T{nextTestNumber: &n, Writer: os.Stdout}
}

func (t *T) printf(format string, a ...interface{}) {
	fmt.Fprintf(t.Writer, format, a...)
}

// Header prints the version line and, when testCount > 0, the plan.
func (t *T) Header(testCount int) {
	t.printf("TAP version 13\n")
	if testCount > 0 {
		t.printf("1..%d\n", testCount)
	}
}

// Ok reports one test result.
func (t *T) Ok(test bool, description string) {
	ok := "ok"
	if !test {
		ok = "not ok"
	}
	directive := ""
	if t.TODO {
		directive = " # TODO"
	}
	if description != "" {
		description = " - " + description
	}
	t.printf("%s %d%s%s\n", ok, *t.nextTestNumber, description, directive)
	*t.nextTestNumber++
}

// Pass reports a passing test.
func (t *T) Pass(description string) { t.Ok(true, description) }

// Fail reports a failing test.
func (t *T) Fail(description string) { t.Ok(false, description) }

// Skip reports count skipped tests.
func (t *T) Skip(count int, description string) {
	for i := 0; i < count; i++ {
		t.printf("ok %d # SKIP %s\n", *t.nextTestNumber, description)
		*t.nextTestNumber++
	}
}

// Todo returns a writer on the same stream whose results are TODO.
func (t *T) Todo() *T {
	return &T{nextTestNumber: t.nextTestNumber, TODO: true, Writer: t.Writer}
}

// Count is the number of results reported so far.
func (t *T) Count() int { return *t.nextTestNumber - 1 }

// AutoPlan prints the plan for the results reported so far.
func (t *T) AutoPlan() { t.printf("1..%d\n", t.Count()) }

// Diagnostic prints a comment, one "# " line per line of message.
func (t *T) Diagnostic(message string) {
	t.printf("# %s\n", strings.Replace(message, "\n", "\n# ", -1))
}

// Diagnosticf prints a formatted comment.
func (t *T) Diagnosticf(format string, a ...interface{}) {
	t.Diagnostic(fmt.Sprintf(format, a...))
}

// YAML prints a diagnostic block (as JSON, which is YAML) after a result.
func (t *T) YAML(message interface{}) error {
	b, err := json.MarshalIndent(message, "  ", "  ")
	if err != nil {
		return err
	}
	t.printf("  ---\n  %s\n  ...\n", string(b))
	return nil
}
