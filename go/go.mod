module github.com/connectly-sdk/connectly-sdk/go

go 1.22
