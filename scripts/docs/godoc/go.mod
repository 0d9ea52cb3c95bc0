module connectly-sdk/scripts/docs/godoc

go 1.22
