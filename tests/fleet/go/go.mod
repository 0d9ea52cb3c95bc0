module github.com/connectly-sdk/connectly-sdk/tests/fleet/go

go 1.22

require github.com/connectly-sdk/connectly-sdk/go v0.0.0

replace github.com/connectly-sdk/connectly-sdk/go => ../../../go
