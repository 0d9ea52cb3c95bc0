module github.com/connectly-sdk/connectly-go/bench

go 1.22

require github.com/connectly-sdk/connectly-go v0.0.0

replace github.com/connectly-sdk/connectly-go => ../../go
