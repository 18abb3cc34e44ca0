package cognitolocal

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// operationsDoc is the page whose operations table must match apiOps.
const operationsDoc = "../docs/emulator.md"

// docRow is one row of the operations table.
type docRow struct {
	status, note string
	line         int
}

var operationRow = regexp.MustCompile("^\\| `(\\w+)` \\| (\\w+) \\|(.*)\\|$")

// readOperationsTable reads the table after the "<!-- operations table -->"
// marker of docs/emulator.md, in its order.
func readOperationsTable(t *testing.T) (names []string, rows map[string]docRow) {
	t.Helper()
	f, err := os.Open(operationsDoc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows = map[string]docRow{}
	sc := bufio.NewScanner(f)
	inTable, seenMarker := false, false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "<!-- operations table -->":
			seenMarker = true
		case seenMarker && strings.HasPrefix(line, "|"):
			inTable = true
			m := operationRow.FindStringSubmatch(line)
			if m == nil {
				if !strings.HasPrefix(line, "| Operation") && !strings.HasPrefix(line, "| ---") {
					t.Errorf("%s:%d: a row of the operations table reads \"| `Operation` | supported, partly or not | note |\": %s", operationsDoc, n, line)
				}
				continue
			}
			if _, dup := rows[m[1]]; dup {
				t.Errorf("%s:%d: %s has two rows in the operations table", operationsDoc, n, m[1])
			}
			names = append(names, m[1])
			rows[m[1]] = docRow{status: m[2], note: strings.TrimSpace(m[3]), line: n}
		case inTable:
			return names, rows
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !seenMarker {
		t.Fatalf("%s has no <!-- operations table --> marker", operationsDoc)
	}
	return names, rows
}

// TestEmulatorDocListsEveryOperation keeps docs/emulator.md's table of
// operations equal to the dispatch table (apiOps in api.go): an operation
// the pool answers is marked supported or partly, one it does not is
// marked not.
func TestEmulatorDocListsEveryOperation(t *testing.T) {
	names, rows := readOperationsTable(t)
	for op := range apiOps {
		row, ok := rows[op]
		switch {
		case !ok:
			t.Errorf("%s: add the row \"| `%s` | supported | |\" to the operations table, in alphabetical order (or \"partly\", saying what is missing): api.go answers %s", operationsDoc, op, op)
		case row.status == "not":
			t.Errorf("%s:%d: %s is in api.go's dispatch table: mark its row supported (or partly, saying what is missing)", operationsDoc, row.line, op)
		}
	}
	for op, row := range rows {
		switch row.status {
		case "supported", "partly":
			if _, ok := apiOps[op]; !ok {
				t.Errorf("%s:%d: the row of %s says %s, but api.go's dispatch table has no %s: mark it not, or add the operation", operationsDoc, row.line, op, row.status, op)
			}
			if row.status == "partly" && row.note == "" {
				t.Errorf("%s:%d: %s is partly supported: say what is missing in its note", operationsDoc, row.line, op)
			}
		case "not":
		default:
			t.Errorf("%s:%d: %s is marked %q: use supported, partly or not", operationsDoc, row.line, op, row.status)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("%s: keep the operations table in alphabetical order", operationsDoc)
	}
}
