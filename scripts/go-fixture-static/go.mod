module example.com/mamori/server

go 1.19
