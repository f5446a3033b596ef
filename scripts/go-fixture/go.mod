module example.com/mamori/fixture

go 1.19

require (
	example.com/mamori/greet v0.0.0
	github.com/google/uuid v1.3.0
	github.com/pkg/errors v0.9.1
)

replace example.com/mamori/greet => ./greet
