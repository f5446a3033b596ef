module example.com/mamori/greet

go 1.19
