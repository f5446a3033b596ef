module example.com/mamori/webapp

go 1.19

require golang.org/x/net v0.7.0
