module github.com/connectly-sdk/connectly-go

go 1.22
