// A small application binary for mamori's tests: it links golang.org/x/net
// at the version Debian 12 ships, so its module build info names a module
// with known advisories.
package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/net/html"
)

func main() {
	doc, err := html.Parse(strings.NewReader("<p>mamori</p>"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(doc.FirstChild.Data)
}
