// A small Go program whose binary carries real module build information
// (dependencies with versions and go.sum hashes, and a local replacement),
// for checking mamori's Go cataloger against `go version -m`.
package main

import (
	"fmt"

	"example.com/mamori/greet"
	"github.com/google/uuid"
	"github.com/pkg/errors"
)

func main() {
	id := uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://mamori.invalid"))
	fmt.Println(greet.Hello(id.String()), errors.New("done"))
}
